/*
 * racestress.h - linux-stub/racestress.c: the monitor's "racestress" command: RUN, STOP and
 * REMOVE racing on many CPUs.
 */
#ifndef RACESTRESS_H
#define RACESTRESS_H

int cmd_racestress(int argc, char **argv);

#endif
