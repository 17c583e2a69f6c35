/*
 * isolate.h - linux-stub/isolate.c: the monitor's "isolate" command: hostile guests.
 */
#ifndef ISOLATE_H
#define ISOLATE_H

int cmd_isolate(int argc, char **argv);

#endif
