/*
 * halt.c - the race window of safe_halt() (include/halt.h): 0, no window,
 * unless a test asks for one. Each image has its own; only the sidecar's is
 * ever set (kernel/start.c, from the shim's race_windows option).
 */
#include "halt.h"

uint64_t safe_halt_window_tsc;
