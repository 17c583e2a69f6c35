/*
 * convert.h - linux-stub/convert.c: the monitor's "convert" and "on" commands (lab 6).
 */
#ifndef CONVERT_H
#define CONVERT_H

int cmd_convert(int argc, char **argv);
int cmd_on(int argc, char **argv);

#endif
