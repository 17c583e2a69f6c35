/*
 * timeline.h - linux-stub/timeline.c: the monitor's "timeline" command: the sidecar's
 * bring-up, CPU by CPU.
 */
#ifndef TIMELINE_H
#define TIMELINE_H

int cmd_timeline(int argc, char **argv);

#endif
