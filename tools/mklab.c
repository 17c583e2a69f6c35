/*
 * mklab - make the students' skeletons from the solutions.
 *
 * A solution file marks what the student writes:
 *
 *         // BEGIN LAB 0: check the header, then visit every tag
 *         ... the solution ...
 *         // END LAB 0
 *
 * (";" instead of "//" in nasm files). In the skeleton the region becomes
 *
 *         // TODO(lab 0): check the header, then visit every tag
 *         lab_todo(0, __func__);
 *
 * which stops the system with "lab 0: mb2_walk() is not implemented yet".
 * Lines inside the region that start with "//> " (or ";> ") replace that
 * default: they are copied into the skeleton without the marker. Everything
 * outside regions is copied as it is, so the skeleton and the solution
 * cannot drift apart: `make labs` regenerates labs/ and `make test` checks
 * that labs/ is what this program makes.
 *
 * usage: mklab --tree <solutions> <labs>    write every lab's skeleton
 *        mklab --check <solutions> <labs>   exit 1 if labs/ is out of date
 *        mklab <solution file>              print one skeleton
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct buf {
	char *data;
	size_t len, cap;
};

static void buf_put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->data = realloc(b->data, b->cap);
		if (!b->data)
			abort();
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

/* If line (after its indentation) starts with the comment marker followed by
 * word, return what follows word; else NULL. */
static const char *marker(const char *line, size_t len, const char *comment, const char *word)
{
	size_t i = 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	size_t c = strlen(comment), w = strlen(word);
	if (len - i < c + 1 + w || strncmp(line + i, comment, c) != 0)
		return NULL;
	i += c;
	if (line[i] == ' ')
		i++;
	if (strncmp(line + i, word, w) != 0)
		return NULL;
	return line + i + w;
}

/*
 * The heart of mklab: turn a solution (text of n bytes, from a file called
 * name) into a skeleton. Returns 0, or -1 with err describing the first
 * problem (an unterminated region, an END without BEGIN, nesting, ...).
 */
int skeleton_from_solution(const char *name, const char *text, size_t n, struct buf *out,
			   char *err, size_t errsize)
{
	size_t nl = strlen(name);
	bool is_asm = nl > 4 && strcmp(name + nl - 4, ".asm") == 0;
	const char *comment = is_asm ? ";" : "//";
	int region_lab = -1, region_line = 0, lineno = 0;
	struct buf custom = {0};
	char indent[64] = "", hint[256] = "";

	out->len = 0;
	buf_puts(out, "");
	for (size_t pos = 0; pos < n;) {
		const char *line = text + pos;
		const char *eol = memchr(line, '\n', n - pos);
		size_t len = eol ? (size_t)(eol - line) : n - pos;
		pos += len + (eol ? 1 : 0);
		lineno++;

		const char *rest;
		if ((rest = marker(line, len, comment, "BEGIN LAB "))) {
			if (region_lab >= 0) {
				snprintf(err, errsize, "%s:%d: BEGIN LAB inside the region opened at line %d",
					 name, lineno, region_line);
				return -1;
			}
			char *endp;
			region_lab = (int)strtol(rest, &endp, 10);
			if (endp == rest) {
				snprintf(err, errsize, "%s:%d: BEGIN LAB needs a lab number", name, lineno);
				return -1;
			}
			region_line = lineno;
			size_t ind = strspn(line, " \t");
			snprintf(indent, sizeof(indent), "%.*s", (int)(ind < 63 ? ind : 63), line);
			const char *h = endp;
			while (*h == ':' || *h == ' ')
				h++;
			snprintf(hint, sizeof(hint), "%.*s", (int)(line + len - h), h);
			custom.len = 0;
			buf_puts(&custom, "");
			continue;
		}
		if ((rest = marker(line, len, comment, "END LAB "))) {
			int lab = (int)strtol(rest, NULL, 10);
			if (region_lab < 0) {
				snprintf(err, errsize, "%s:%d: END LAB without BEGIN LAB", name, lineno);
				return -1;
			}
			if (lab != region_lab) {
				snprintf(err, errsize, "%s:%d: END LAB %d closes BEGIN LAB %d (line %d)",
					 name, lineno, lab, region_lab, region_line);
				return -1;
			}
			char head[512];
			snprintf(head, sizeof(head), "%s%s TODO(lab %d)%s%s\n", indent, comment,
				 region_lab, hint[0] ? ": " : "", hint);
			buf_puts(out, head);
			if (custom.len) {
				buf_put(out, custom.data, custom.len);
			} else if (is_asm) {
				snprintf(err, errsize, "%s:%d: an assembly region needs ';>' skeleton lines",
					 name, region_line);
				free(custom.data);
				return -1;
			} else {
				snprintf(head, sizeof(head), "%slab_todo(%d, __func__);\n", indent,
					 region_lab);
				buf_puts(out, head);
			}
			region_lab = -1;
			continue;
		}
		if (region_lab >= 0) {
			/* "//> text" inside a region: a skeleton line. */
			char custom_marker[8];
			snprintf(custom_marker, sizeof(custom_marker), "%s>", comment);
			size_t ind = strspn(line, " \t");
			size_t cm = strlen(custom_marker);
			if (len >= ind + cm && strncmp(line + ind, custom_marker, cm) == 0) {
				size_t skip = ind + cm + (len > ind + cm && line[ind + cm] == ' ');
				buf_put(&custom, line, ind);
				buf_put(&custom, line + skip, len - skip);
				buf_puts(&custom, "\n");
			}
			continue;
		}
		buf_put(out, line, len);
		if (eol)
			buf_puts(out, "\n");
	}
	free(custom.data);
	if (region_lab >= 0) {
		snprintf(err, errsize, "%s:%d: BEGIN LAB %d is never closed", name, region_line,
			 region_lab);
		return -1;
	}
	return 0;
}

#ifndef MKLAB_NO_MAIN

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b = {0};
	char chunk[4096];
	size_t got;
	buf_puts(&b, "");
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_put(&b, chunk, got);
	fclose(f);
	*n = b.len;
	return b.data;
}

static bool is_lab_source(const char *name)
{
	size_t n = strlen(name);
	return (n > 2 && strcmp(name + n - 2, ".c") == 0) ||
	       (n > 2 && strcmp(name + n - 2, ".h") == 0) ||
	       (n > 4 && strcmp(name + n - 4, ".asm") == 0);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walk solutions/NN-name/file for lab sources; for each one call visit. */
static int each_lab_file(const char *root, int (*visit)(const char *dir, const char *file,
							 void *ctx),
			 void *ctx)
{
	DIR *d = opendir(root);
	if (!d) {
		perror(root);
		return 1;
	}
	char *dirs[256] = {0};
	int nd = 0, failed = 0;
	struct dirent *e;
	while ((e = readdir(d)) && nd < 256)
		if (e->d_name[0] != '.')
			dirs[nd++] = strdup(e->d_name);
	closedir(d);
	qsort(dirs, nd, sizeof(dirs[0]), cmp_names);
	for (int i = 0; i < nd; i++) {
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		DIR *sub = opendir(path);
		if (!sub)
			continue;
		while ((e = readdir(sub)))
			if (is_lab_source(e->d_name))
				failed |= visit(dirs[i], e->d_name, ctx);
		closedir(sub);
		free(dirs[i]);
	}
	return failed;
}

struct job {
	const char *solutions, *labs;
	bool check;
};

static int do_file(const char *dir, const char *file, void *ctx)
{
	struct job *j = ctx;
	char src[1024], dst[1024], err[512];
	snprintf(src, sizeof(src), "%s/%s/%s", j->solutions, dir, file);
	snprintf(dst, sizeof(dst), "%s/%s/%s", j->labs, dir, file);

	size_t n;
	char *text = slurp(src, &n);
	if (!text) {
		perror(src);
		return 1;
	}
	struct buf out = {0};
	if (skeleton_from_solution(src, text, n, &out, err, sizeof(err))) {
		fprintf(stderr, "mklab: %s\n", err);
		return 1;
	}
	int failed = 0;
	if (j->check) {
		size_t have_n;
		char *have = slurp(dst, &have_n);
		if (!have || have_n != out.len || memcmp(have, out.data, out.len) != 0) {
			fprintf(stderr, "mklab: %s is not the skeleton of %s (run 'make labs')\n", dst,
				src);
			failed = 1;
		}
		free(have);
	} else {
		char d[1024];
		snprintf(d, sizeof(d), "%s/%s", j->labs, dir);
		mkdir(j->labs, 0777);
		mkdir(d, 0777);
		FILE *f = fopen(dst, "wb");
		if (!f || fwrite(out.data, 1, out.len, f) != out.len || fclose(f) != 0) {
			perror(dst);
			failed = 1;
		}
	}
	free(text);
	free(out.data);
	return failed;
}

int main(int argc, char **argv)
{
	if (argc == 4 && (strcmp(argv[1], "--tree") == 0 || strcmp(argv[1], "--check") == 0)) {
		struct job j = {argv[2], argv[3], strcmp(argv[1], "--check") == 0};
		return each_lab_file(argv[2], do_file, &j);
	}
	if (argc == 2 && argv[1][0] != '-') {
		size_t n;
		char *text = slurp(argv[1], &n);
		char err[512];
		struct buf out = {0};
		if (!text) {
			perror(argv[1]);
			return 1;
		}
		if (skeleton_from_solution(argv[1], text, n, &out, err, sizeof(err))) {
			fprintf(stderr, "mklab: %s\n", err);
			return 1;
		}
		fwrite(out.data, 1, out.len, stdout);
		return 0;
	}
	fprintf(stderr, "usage: mklab --tree|--check <solutions> <labs> | mklab <file>\n");
	return 2;
}

#endif
