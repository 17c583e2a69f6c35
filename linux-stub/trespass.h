/*
 * trespass.h - linux-stub/trespass.c: the monitor's "trespass" command: a sidecar CPU
 * touches memory that is not its own (SHIM_ARGS=test_commands).
 */
#ifndef TRESPASS_H
#define TRESPASS_H

int cmd_trespass(int argc, char **argv);

#endif
