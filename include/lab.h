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

#endif
