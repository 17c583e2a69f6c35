/*
 * fuzz_command.c - libFuzzer harness: a command page, as the sidecar reads it.
 *
 * A sidecar CPU trusts nothing in its command page (book/design.md):
 * the dispatcher (kernel/command.c, compiled for the host with the stand-ins
 * of tests/host/sidecar_host.c) reads the command number once and each
 * command checks what it copies out - lab 4's register request
 * (registers.c) and the TRANSLATE_GVA request (its page walk, gva.c). The
 * input is the page's 4096 bytes (zero-filled when shorter), then up to 16
 * pages of guest memory for TRANSLATE_GVA. Whatever the page says, the
 * command must be answered exactly once: completed grows by one, the status
 * goes from RUN back to IDLE, needs_attention is raised, and the answer is
 * either success or error = 1 with a NUL-terminated reason - never a crash
 * or a read outside the page. Seeds: one page per command
 * (tools/fuzz_seeds.py).
 */
#include <stdlib.h>

#include "sidecar_host.h"

#define GUEST_MAX (16 * 4096)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sidecar_control control;
	static struct percpu pc;
	struct sidecar_command_page *page = aligned_alloc(4096, sizeof(*page));
	memset(page, 0, sizeof(*page));
	memcpy(page, data, size < sizeof(*page) ? size : sizeof(*page));
	size_t guest = size > sizeof(*page) ? size - sizeof(*page) : 0;
	if (guest > GUEST_MAX)
		guest = GUEST_MAX;
	host_guest_size = ALIGN_DOWN(guest, 4096);
	host_guest_base = malloc(host_guest_size ? host_guest_size : 1);
	memcpy(host_guest_base, data + sizeof(*page), host_guest_size);
	host_vp_spins = 0;

	memset(&control, 0, sizeof(control));
	memset(&pc, 0, sizeof(pc));
	pc.control = &control;
	pc.command = page;
	pc.slot = 3;
	for (int i = 0; i < VP_REGISTER_COUNT; i++)
		pc.vp.regs[i] = 0x1111111111111111ull * (uint64_t)(i % 15 + 1);
	control.cpu_status[pc.slot] = CPU_STATUS_RUN;

	uint32_t command = page->command;
	uint64_t before = page->completed;
	command_run(&pc);

	if (page->completed != before + 1 || control.cpu_status[pc.slot] != CPU_STATUS_IDLE ||
	    control.needs_attention != 1 || page->error > 1)
		abort();
	if (strnlen(page->error_text, sizeof(page->error_text)) == sizeof(page->error_text))
		abort();
	if (page->error && page->error_text[0] == '\0')
		abort();
	if (!page->error && command > SIDECAR_CMD_TRANSLATE_GVA)
		abort(); /* an unknown command must be refused */
	if (!page->error && command == SIDECAR_CMD_GET_VP_REGISTERS) {
		for (uint32_t i = 0; i < page->request.registers.count; i++)
			if (page->request.registers.values[i] !=
			    pc.vp.regs[page->request.registers.names[i]])
				abort();
	}
	free(host_guest_base);
	free(page);
	return 0;
}
