/*
 * nodes.h - linux-stub/nodes.c: the monitor's "nodes" command (lab 5).
 */
#ifndef NODES_H
#define NODES_H

int cmd_nodes(int argc, char **argv);

#endif
