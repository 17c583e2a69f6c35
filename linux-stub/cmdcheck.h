/*
 * cmdcheck.h - linux-stub/cmdcheck.c: the monitor's "cmdcheck" and "cmdstress" commands:
 * bad command pages, and many commands at once.
 */
#ifndef CMDCHECK_H
#define CMDCHECK_H

int cmd_cmdcheck(int argc, char **argv);
int cmd_cmdstress(int argc, char **argv);

#endif
