/*
 * fuzz_gva.c - libFuzzer harness: walking a guest's page tables.
 *
 * TRANSLATE_GVA and the instruction fetch after a fault walk page tables
 * the guest wrote (lab 4's vp_translate(), SDM vol. 3A 4.5). The input is
 * u64 gva, u64 page_table (a GPA), u8 pages of guest memory (1..16), then
 * the guest memory's bytes (zero-filled to its size). Whatever the tables
 * hold, the walk must read only inside guest memory (an exactly-sized
 * buffer, so AddressSanitizer sees a stray read) and every translation it
 * returns must land inside guest memory, keep the page offset, and come
 * from a GVA the guest may use. Seeds: page tables laid out as linux-stub's
 * VMM builds them (tools/fuzz_seeds.py).
 */
#include <stdlib.h>

#include "fuzz.h"
#include "lab_vp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 17)
		return 0;
	uint64_t gva, page_table;
	memcpy(&gva, data, 8);
	memcpy(&page_table, data + 8, 8);
	uint64_t pages = data[16] % 16 + 1;
	uint64_t bytes = pages * 4096;
	uint8_t *memory = calloc(1, bytes);
	size_t given = size - 17 < bytes ? size - 17 : bytes;
	memcpy(memory, data + 17, given);

	struct vp_memory_view view = {memory, bytes, page_table};
	uint64_t gpa = 0;
	bool writable = false;
	struct diag d = {""};
	int r = vp_translate(&view, gva, &gpa, &writable, &d);
	if (r) {
		fuzz_expect_explained(r, &d);
	} else {
		if (gpa >= bytes || (gpa & 4095) != (gva & 4095) || gva < SIDECAR_GUEST_GVA_MIN ||
		    gva >= SIDECAR_GUEST_GVA_LIMIT)
			abort();
	}
	/* The fetch path passes no diag (kernel/vp.c, fetch_code). */
	vp_translate(&view, gva, &gpa, &writable, NULL);
	free(memory);
	return 0;
}
