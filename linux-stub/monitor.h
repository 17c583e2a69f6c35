/*
 * monitor.h - linux-stub/monitor.c: the command interpreter on the serial
 * port.
 */
#ifndef MONITOR_H
#define MONITOR_H

#include <stddef.h>

/* Run one command line; 0 if it succeeded. */
int monitor_execute(char *line);
/* Interactive: read lines from the serial port forever. */
__attribute__((noreturn)) void monitor_loop(void);
/* Run "cmd; cmd; ..." then power off, succeeding only if every command did. */
__attribute__((noreturn)) void monitor_run_script(const char *script, size_t len);

#endif
