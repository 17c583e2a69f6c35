/*
 * lab.h - what every lab may use, and the labs' functions that every image
 * calls. Each lab file includes one header, its image's lab API:
 *   lab_boot.h     lab 0: the boot parsers' walkers (shim, linux-stub, host)
 *   lab_sidecar.h  labs 1, 2, 3, 6: the sidecar kernel
 *   lab_vp.h       lab 4: the VP's pieces (the sidecar kernel, and the host)
 *   lab_shim.h     lab 5: the shim's CPU policy and memory placement
 *   lab_stub.h     labs 3, 5, 6: linux-stub, the sidecar's client
 * and each of them includes this one. (Lab 7 is a Linux module: its API is
 * Linux's and labs/07-linux/sidecar_ioctl.h.) All lab files go into one
 * library that every image links (build/lab.a); a function runs where its
 * header says.
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

#include "diag.h"
#include "halt.h"    /* safe_halt: "sti; hlt" without the race */
#include "lapic.h"   /* lapic_read/lapic_write/lapic_send_icr, the registers */
#include "sidecar.h" /* the ABI: control, command and output pages */
#include "timer.h"   /* timer_ns, udelay, mdelay */
#include "x86.h"     /* cli, sti, hlt, cpu_relax, rdmsr, wrmsr, ... */

__attribute__((noreturn)) void lab_todo(int lab, const char *function);

/*
 * Some lab functions sit on the boot path of earlier labs (lab 5's CPU
 * policy runs in every boot). Their skeletons do something simple instead of
 * stopping, and say so once: "lab 5: numa_assign_cpus() is not implemented
 * yet; <what happens instead>".
 */
void lab_fallback(int lab, const char *function, const char *instead);

/* ---- the labs' functions every image calls (labs 1 and 3) ------------------ */

/* Lab 1 (labs/01-apstart/startup.c): INIT-SIPI-SIPI to n CPUs with one set
 * of waits; delivered[c]: every IPI to apic_ids[c] went out. -1 for a
 * trampoline page a SIPI cannot name. The sidecar's fan-out uses it;
 * ap_send_init_sipi() below is the same for one CPU. */
int ap_send_init_sipi_all(const uint32_t *apic_ids, uint32_t n, uint64_t trampoline_page,
			  bool *delivered);

/*
 * Lab 1 (labs/01-apstart/startup.c): start the CPU with this APIC ID at the
 * real-mode trampoline in trampoline_page (below 1 MiB) with INIT and two
 * Startup IPIs. 0, or -1 if an IPI was not delivered. The sidecar starts
 * its CPUs with it, and linux-stub its own.
 */
int ap_send_init_sipi(uint32_t apic_id, uint64_t trampoline_page);

/*
 * Lab 3 (labs/03-ipi/ipi.c): send a fixed interrupt with this vector to the
 * CPU with this APIC ID; 0, or -1 when the vector is invalid, the delivery
 * never completed or the APIC reported an error (ESR).
 */
int ipi_send(uint32_t apic_id, uint8_t vector);

#endif
