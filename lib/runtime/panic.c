/*
 * panic.c - stopping cleanly when something is wrong.
 *
 * A teaching system must never just hang or triple-fault: it says which CPU
 * stopped and why, prints the chain of return addresses (every image is built
 * with frame pointers, so each frame starts with the caller's %rbp and the
 * return address), and leaves QEMU with a failure status so that scripts and
 * tests see it at once.
 */
#include "console.h"
#include "x86.h"

void qemu_exit(uint8_t code)
{
	/* isa-debug-exit: QEMU exits with status (code << 1) | 1. */
	outl(0xf4, code);
	for (;;) {
		cli();
		hlt();
	}
}

static void backtrace(void)
{
	uint64_t *frame = (uint64_t *)read_rbp();
	kprintf("backtrace:");
	for (int depth = 0; depth < 16 && frame; depth++) {
		/* Stop at anything that is not a plausible identity-mapped stack. */
		if ((uint64_t)frame & 7 || (uint64_t)frame < 0x1000 || (uint64_t)frame >= GiB(4))
			break;
		uint64_t ret = frame[1];
		if (!ret)
			break;
		kprintf(" 0x%lx", ret);
		frame = (uint64_t *)frame[0];
	}
	kprintf("\n");
}

void panic(const char *fmt, ...)
{
	char reason[256];
	va_list ap;
	va_start(ap, fmt);
	fmt_vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	cli();
	kprintf("panic: %s: cpu apic %u: %s\n", image_name, cpu_apic_id(), reason);
	backtrace();
	qemu_exit(QEMU_EXIT_FAILURE);
}
