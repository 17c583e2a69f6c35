/*
 * fuzz_decode.c - libFuzzer harness: the I/O-exit instruction decoder.
 *
 * When a guest faults, the sidecar reads up to 15 bytes at its RIP and lab
 * 4's vp_decode_instruction() turns in/out/hlt/vmcall into exits the VMM
 * handles (SDM vol. 2A/2B). The input is u64 rax, u64 rdx, then the code
 * bytes - fewer than 15 when the guest's page ends. The decoder must never
 * read past the bytes it was given (they sit in an exactly-sized buffer),
 * and an exit it reports must be well formed: an instruction length within
 * the bytes, an I/O size of 1, 2 or 4, a value that fits the size. Seeds:
 * the guest programs' own instructions (tools/fuzz_seeds.py).
 */
#include <stdlib.h>

#include "lab_vp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 16)
		return 0;
	uint64_t rax, rdx;
	memcpy(&rax, data, 8);
	memcpy(&rdx, data + 8, 8);
	size_t n = size - 16 < 15 ? size - 16 : 15;
	uint8_t *code = malloc(n ? n : 1);
	memcpy(code, data + 16, n);

	struct sidecar_vp_exit exit;
	memset(&exit, 0, sizeof(exit));
	if (vp_decode_instruction(code, n, rax, rdx, &exit) == 0) {
		if (exit.instruction_length == 0 || exit.instruction_length > n)
			abort();
		if (exit.reason == VP_EXIT_IO) {
			if (exit.size != 1 && exit.size != 2 && exit.size != 4)
				abort();
			if (exit.size < 8 && (exit.value >> (8 * exit.size)) != 0)
				abort();
			if (!exit.write && exit.value != 0)
				abort();
		} else if (exit.reason != VP_EXIT_HLT && exit.reason != VP_EXIT_HYPERCALL) {
			abort();
		}
	}
	free(code);
	return 0;
}
