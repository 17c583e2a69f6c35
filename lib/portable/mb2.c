/*
 * mb2.c - what the shim takes from GRUB's multiboot2 information.
 *
 * The walk over the tags is lab 0's (labs/00-boot/mb2_walk.c); this file
 * looks at each tag the walk hands it and checks that its size fits its type
 * before anything is read from it (Multiboot2 spec 3.6.6 modules, 3.6.8
 * memory map, 3.6.16/3.6.17 ACPI RSDP copies).
 */
#include "mb2.h"

struct parse_ctx {
	struct mb2_parsed *out;
	struct diag *d;
};

/* A string inside a tag must end, with its NUL, before the tag does. */
static bool string_fits(const struct mb2_tag *tag, size_t offset)
{
	if (tag->size <= offset)
		return false;
	const char *s = (const char *)tag + offset;
	return strnlen(s, tag->size - offset) < tag->size - offset;
}

static int take_module(const struct mb2_tag *tag, struct parse_ctx *c)
{
	const struct mb2_tag_module *m = (const void *)tag;
	struct mb2_parsed *out = c->out;

	if (tag->size < sizeof(*m) + 1 || !string_fits(tag, sizeof(*m)))
		return diag_fail(c->d, E_INVAL, "mb2: module tag size %u too small or string unterminated",
				 tag->size);
	if (m->mod_end < m->mod_start)
		return diag_fail(c->d, E_INVAL, "mb2: module '%s' ends at 0x%x before it starts at 0x%x",
				 m->string, m->mod_end, m->mod_start);
	if (out->nmodules == MB2_MAX_MODULES)
		return diag_fail(c->d, E_NOMEM, "mb2: more than %d modules", MB2_MAX_MODULES);
	out->modules[out->nmodules++] = (struct mb2_module){m->mod_start, m->mod_end, m->string};
	return 0;
}

static int take_mmap(const struct mb2_tag *tag, struct parse_ctx *c)
{
	const struct mb2_tag_mmap *mm = (const void *)tag;
	struct mb2_parsed *out = c->out;

	if (tag->size < sizeof(*mm))
		return diag_fail(c->d, E_INVAL, "mb2: memory map tag size %u < %zu", tag->size,
				 sizeof(*mm));
	if (mm->entry_size < sizeof(struct mb2_mmap_entry) || mm->entry_size % 8)
		return diag_fail(c->d, E_INVAL, "mb2: memory map entry_size %u, expected >= 24 and a multiple of 8",
				 mm->entry_size);
	uint32_t n = (tag->size - sizeof(*mm)) / mm->entry_size;
	for (uint32_t i = 0; i < n; i++) {
		const struct mb2_mmap_entry *e =
			(const void *)((const uint8_t *)mm->entries + (size_t)i * mm->entry_size);
		if (e->length == 0)
			continue;
		if (e->base_addr + e->length < e->base_addr)
			return diag_fail(c->d, E_INVAL, "mb2: memory map entry %u at 0x%lx wraps around",
					 i, (unsigned long)e->base_addr);
		if (out->nmemory == MB2_MAX_MMAP)
			return diag_fail(c->d, E_NOMEM, "mb2: more than %d memory map entries",
					 MB2_MAX_MMAP);
		out->memory[out->nmemory++] =
			(struct mb2_memory){e->base_addr, e->length, e->type};
	}
	return 0;
}

static int take_rsdp(const struct mb2_tag *tag, struct parse_ctx *c)
{
	bool is_new = tag->type == MB2_TAG_ACPI_NEW;
	uint32_t need = is_new ? 36 : 20; /* ACPI 5.2.5.3: RSDP v1 and v2 sizes */

	if (tag->size < sizeof(*tag) + need)
		return diag_fail(c->d, E_INVAL, "mb2: ACPI %s RSDP tag size %u, expected >= %u",
				 is_new ? "new" : "old", tag->size, 8 + need);
	/* Prefer the ACPI 2.0+ copy whichever order the tags come in. */
	if (c->out->rsdp && c->out->rsdp_is_new && !is_new)
		return 0;
	c->out->rsdp = tag + 1;
	c->out->rsdp_len = tag->size - sizeof(*tag);
	c->out->rsdp_is_new = is_new;
	return 0;
}

static int take_tag(const struct mb2_tag *tag, void *ctx)
{
	struct parse_ctx *c = ctx;

	switch (tag->type) {
	case MB2_TAG_CMDLINE:
		if (!string_fits(tag, sizeof(*tag)))
			return diag_fail(c->d, E_INVAL, "mb2: command line tag not NUL-terminated");
		c->out->cmdline = (const char *)(tag + 1);
		return 0;
	case MB2_TAG_LOADER_NAME:
		if (string_fits(tag, sizeof(*tag)))
			c->out->loader_name = (const char *)(tag + 1);
		return 0;
	case MB2_TAG_MODULE:
		return take_module(tag, c);
	case MB2_TAG_MMAP:
		return take_mmap(tag, c);
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		return take_rsdp(tag, c);
	default:
		return 0; /* tags we do not need are skipped, as the spec asks */
	}
}

int mb2_parse(const void *info, size_t limit, struct mb2_parsed *out, struct diag *d)
{
	memset(out, 0, sizeof(*out));
	out->cmdline = "";
	out->loader_name = "";

	struct parse_ctx c = {out, d};
	int r = mb2_walk(info, limit, take_tag, &c, d);
	if (r < 0)
		return r;
	if (out->nmemory == 0)
		return diag_fail(d, E_NOTFOUND, "mb2: no memory map tag (type 6)");
	return 0;
}

const struct mb2_module *mb2_find_module(const struct mb2_parsed *p, const char *name)
{
	size_t n = strlen(name);
	for (uint32_t i = 0; i < p->nmodules; i++) {
		const char *s = p->modules[i].string;
		if (strncmp(s, name, n) == 0 && (s[n] == '\0' || s[n] == ' '))
			return &p->modules[i];
	}
	return NULL;
}
