/*
 * command.h - kernel/command.c: the dispatcher of a sidecar CPU's commands.
 */
#ifndef COMMAND_H
#define COMMAND_H

#include "percpu.h"

/* Run the command in pc's command page (its status is RUN). */
void command_run(struct percpu *pc);

#endif
