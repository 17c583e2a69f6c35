/*
 * lab.h - what the untouched lab skeletons call.
 *
 * Every function a student writes starts life (in labs/) as a call to
 * lab_todo(). It names the lab and the function and stops: in QEMU it prints
 * "lab N: <function>() is not implemented yet" and leaves QEMU with a failure
 * status; in a host unit test it prints the same line and aborts that test.
 * So an unfinished tree boots as far as it can, names the first missing
 * piece, and never hangs.
 */
#ifndef LAB_H
#define LAB_H

__attribute__((noreturn)) void lab_todo(int lab, const char *function);

/*
 * Some lab functions sit on the boot path of earlier labs (lab 5's CPU
 * policy runs in every boot). Their skeletons do something simple instead of
 * stopping, and say so once: "lab 5: numa_assign_cpus() is not implemented
 * yet; <what happens instead>".
 */
void lab_fallback(int lab, const char *function, const char *instead);

#endif
