/* A fix plan: composing planners' edits, and showing them as unified diffs and command lines. */
#include "plan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static void item_free(struct plan_item *it)
{
	strvec_clear(&it->checks);
	free(it->path);
	free(it->why);
	free(it->old_data);
	free(it->new_data);
	free(it->target);
	strvec_clear(&it->argv);
	strvec_clear(&it->regenerates);
	strvec_clear(&it->verify_names);
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		item_free(&p->v[i]);
	free(p->v);
	strvec_clear(&p->notes);
	p->v = NULL;
	p->n = 0;
}

static struct plan_item *add(struct plan *p, enum plan_kind k, const struct check *c, const char *path, const char *why)
{
	p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
	struct plan_item *it = &p->v[p->n++];
	memset(it, 0, sizeof(*it));
	it->kind = k;
	if (c)
		strvec_push(&it->checks, c->id);
	it->path = path ? xstrdup(path) : NULL;
	it->why = why ? xstrdup(why) : NULL;
	return it;
}

static struct plan_item *find_write(struct plan *p, const char *path)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].kind == PLAN_WRITE && str_eq(p->v[i].path, path))
			return &p->v[i];
	return NULL;
}

int plan_content(struct plan *p, const char *path, const char **data, size_t *len)
{
	struct plan_item *it = find_write(p, path);
	if (!it) {
		char *d = NULL;
		size_t l = 0;
		int e = rootfs_read(p->rfs, path, ROOTFS_MAX_TEXT, &d, &l);
		it = add(p, PLAN_WRITE, NULL, path, NULL);
		it->existed = e == 0;
		it->old_data = e == 0 ? d : xstrdup("");
		it->old_len = e == 0 ? l : 0;
		it->new_data = xstrndup(it->old_data, it->old_len);
		it->new_len = it->old_len;
		it->mode = 0644;
		if (e < 0 && e != -ENOENT) {
			it->read_err = e;
			return e;
		}
		if (e == -ENOENT)
			return e;
	}
	if (it->read_err)
		return it->read_err;
	if (!it->existed && it->new_len == 0 && it->checks.n == 0)
		return -ENOENT;
	*data = it->new_data;
	*len = it->new_len;
	return 0;
}

void plan_write(struct plan *p, const struct check *c, const char *path, const char *data, size_t len, unsigned mode,
		const char *why)
{
	struct plan_item *it = find_write(p, path);
	if (!it) {
		const char *cur;
		size_t cl;
		(void)plan_content(p, path, &cur, &cl);
		it = find_write(p, path);
	}
	if (it->read_err) {
		plan_note(p, "%s: not changed, it could not be read (%s)", path, rootfs_strerror(it->read_err));
		return;
	}
	free(it->new_data);
	it->new_data = xmalloc(len + 1);
	memcpy(it->new_data, data, len);
	it->new_data[len] = '\0';
	it->new_len = len;
	if (!it->existed)
		it->mode = mode;
	if (c && !strvec_contains(&it->checks, c->id))
		strvec_push(&it->checks, c->id);
	if (why && !(it->why && strstr(it->why, why))) {
		char *w = it->why ? xasprintf("%s; %s", it->why, why) : xstrdup(why);
		free(it->why);
		it->why = w;
	}
}

void plan_move_aside(struct plan *p, const struct check *c, const char *path, const char *why)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].kind == PLAN_MOVE_ASIDE && str_eq(p->v[i].path, path))
			return;
	add(p, PLAN_MOVE_ASIDE, c, path, why);
}

void plan_symlink(struct plan *p, const struct check *c, const char *path, const char *target, const char *why)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].kind == PLAN_SYMLINK && str_eq(p->v[i].path, path))
			return;
	struct plan_item *it = add(p, PLAN_SYMLINK, c, path, why);
	it->target = xstrdup(target);
}

void plan_clear_flags(struct plan *p, const struct check *c, const char *path, unsigned flags, const char *why)
{
	struct plan_item *it = add(p, PLAN_CLEAR_FLAGS, c, path, why);
	it->flags = flags;
}

struct plan_item *plan_command(struct plan *p, const struct check *c, const char *const *argv, bool in_target,
			       const char *why)
{
	for (size_t i = 0; i < p->n; i++) {
		struct plan_item *it = &p->v[i];
		if (it->kind != PLAN_COMMAND)
			continue;
		bool same = true;
		size_t k = 0;
		for (; argv[k] && same; k++)
			same = k < it->argv.n && strcmp(argv[k], it->argv.v[k]) == 0;
		if (same && k == it->argv.n) {
			if (c && !strvec_contains(&it->checks, c->id))
				strvec_push(&it->checks, c->id);
			return it;
		}
	}
	struct plan_item *it = add(p, PLAN_COMMAND, c, NULL, why);
	for (size_t k = 0; argv[k]; k++)
		strvec_push(&it->argv, argv[k]);
	it->in_target = in_target;
	return it;
}

void plan_note(struct plan *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strvec_push_nodup(&p->notes, xvasprintf(fmt, ap));
	va_end(ap);
}

int plan_comment_lines(struct plan *p, const struct check *c, const char *path, unsigned first, unsigned last,
		       const char *why)
{
	const char *data;
	size_t len;
	int e = plan_content(p, path, &data, &len);
	if (e < 0)
		return e;
	struct strbuf sb = STRBUF_INIT;
	unsigned ln = 1;
	const char *q = data, *end = data + len;
	while (q < end) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		size_t n = nl ? (size_t)(nl - q + 1) : (size_t)(end - q);
		size_t ws = 0;
		while (ws < n && (q[ws] == ' ' || q[ws] == '\t'))
			ws++;
		bool in = ln >= first && (!last || ln <= last);
		if (in && !(ws < n && q[ws] == '#') && !(ws < n && (q[ws] == '\n' || q[ws] == '\r')))
			strbuf_addstr(&sb, "# cvmprep: ");
		strbuf_add(&sb, q, n);
		q += n;
		ln++;
	}
	plan_write(p, c, path, strbuf_str(&sb), sb.len, 0644, why);
	strbuf_release(&sb);
	return 0;
}

int plan_append(struct plan *p, const struct check *c, const char *path, const char *text, const char *why)
{
	const char *data = "";
	size_t len = 0;
	int e = plan_content(p, path, &data, &len);
	if (e < 0 && e != -ENOENT)
		return e;
	if (e == -ENOENT) {
		data = "";
		len = 0;
	}
	struct strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, data, len);
	if (len && data[len - 1] != '\n')
		strbuf_addch(&sb, '\n');
	strbuf_addstr(&sb, text);
	plan_write(p, c, path, strbuf_str(&sb), sb.len, 0644, why);
	strbuf_release(&sb);
	return 0;
}

static bool item_changes(const struct plan_item *it)
{
	if (it->kind != PLAN_WRITE)
		return true;
	if (!it->checks.n)
		return false; /* read for composition only */
	return it->old_len != it->new_len || memcmp(it->old_data, it->new_data, it->old_len) != 0 || !it->existed;
}

size_t plan_count(const struct plan *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++)
		n += item_changes(&p->v[i]);
	return n;
}

/* ---- unified diff over lines (LCS table; configuration files are small) ---- */

struct lines {
	const char **s;
	size_t *len;
	size_t n;
	bool no_eol; /* the last line has no newline */
};

static void split_lines(const char *d, size_t len, struct lines *l)
{
	memset(l, 0, sizeof(*l));
	size_t cap = 0;
	const char *p = d, *end = d + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (l->n == cap) {
			cap = cap ? cap * 2 : 64;
			l->s = xreallocarray(l->s, cap, sizeof(*l->s));
			l->len = xreallocarray(l->len, cap, sizeof(*l->len));
		}
		l->s[l->n] = p;
		l->len[l->n] = n;
		l->n++;
		if (!nl)
			l->no_eol = true;
		p = nl ? nl + 1 : end;
	}
}

static bool line_eq(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && memcmp(a->s[i], b->s[j], a->len[i]) == 0;
}

enum op { OP_EQ, OP_DEL, OP_ADD };

#define DIFF_MAX_CELLS (16u << 20)

static void emit(FILE *out, char tag, const struct lines *l, size_t i, bool color)
{
	const char *c = !color ? "" : tag == '-' ? "\033[31m" : tag == '+' ? "\033[32m" : "";
	fprintf(out, "%s%c", c, tag);
	/* Untrusted bytes: replace control characters so a diff cannot drive the terminal. */
	for (size_t k = 0; k < l->len[i]; k++) {
		unsigned char ch = (unsigned char)l->s[i][k];
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			fprintf(out, "\\x%02x", ch);
		else
			fputc(ch, out);
	}
	fputs(color && *c ? "\033[0m\n" : "\n", out);
	if (i + 1 == l->n && l->no_eol)
		fputs("\\ No newline at end of file\n", out);
}

void diff_unified(FILE *out, const char *path, const char *a, size_t alen, const char *b, size_t blen, bool color)
{
	struct lines A, B;
	split_lines(a, alen, &A);
	split_lines(b, blen, &B);
	fprintf(out, "%s--- a%s\n+++ b%s%s\n", color ? "\033[1m" : "", path, path, color ? "\033[0m" : "");
	if ((A.n + 1) * (B.n + 1) > DIFF_MAX_CELLS) {
		fprintf(out, "@@ file replaced: %zu lines -> %zu lines (too large to show) @@\n", A.n, B.n);
		goto out;
	}
	/* L[i][j]: LCS length of A[i..] and B[j..]. */
	size_t W = B.n + 1;
	unsigned *L = xcalloc((A.n + 1) * W, sizeof(unsigned));
	for (size_t i = A.n; i-- > 0;)
		for (size_t j = B.n; j-- > 0;)
			L[i * W + j] = line_eq(&A, i, &B, j) ? L[(i + 1) * W + j + 1] + 1
			       : L[(i + 1) * W + j] >= L[i * W + j + 1] ? L[(i + 1) * W + j] : L[i * W + j + 1];
	/* The edit script. */
	size_t cap = A.n + B.n + 1, n = 0;
	enum op *ops = xcalloc(cap, sizeof(*ops));
	size_t *ia = xcalloc(cap, sizeof(size_t)), *ib = xcalloc(cap, sizeof(size_t));
	size_t i = 0, j = 0;
	while (i < A.n || j < B.n) {
		if (i < A.n && j < B.n && line_eq(&A, i, &B, j)) {
			ops[n] = OP_EQ, ia[n] = i++, ib[n] = j++;
		} else if (i < A.n && (j == B.n || L[(i + 1) * W + j] >= L[i * W + j + 1])) {
			/* Deletions before additions, as diff -u shows them. */
			ops[n] = OP_DEL, ia[n] = i++, ib[n] = j;
		} else {
			ops[n] = OP_ADD, ia[n] = i, ib[n] = j++;
		}
		n++;
	}
	/* Hunks with 3 lines of context. */
	const size_t ctx = 3;
	size_t k = 0;
	while (k < n) {
		while (k < n && ops[k] == OP_EQ)
			k++;
		if (k == n)
			break;
		size_t start = k > ctx ? k - ctx : 0;
		size_t end = k;
		/* Extend over changes separated by at most 2*ctx equal lines. */
		for (;;) {
			while (end < n && ops[end] != OP_EQ)
				end++;
			size_t eq = 0;
			while (end + eq < n && ops[end + eq] == OP_EQ)
				eq++;
			if (end + eq < n && eq <= 2 * ctx) {
				end += eq;
				continue;
			}
			end = end + (eq < ctx ? eq : ctx);
			break;
		}
		size_t a0 = ia[start], b0 = ib[start], ac = 0, bc = 0;
		for (size_t q = start; q < end; q++) {
			ac += ops[q] != OP_ADD;
			bc += ops[q] != OP_DEL;
		}
		fprintf(out, "%s@@ -%zu,%zu +%zu,%zu @@%s\n", color ? "\033[36m" : "", ac ? a0 + 1 : a0, ac,
			bc ? b0 + 1 : b0, bc, color ? "\033[0m" : "");
		for (size_t q = start; q < end; q++) {
			if (ops[q] == OP_EQ)
				emit(out, ' ', &A, ia[q], false);
			else if (ops[q] == OP_DEL)
				emit(out, '-', &A, ia[q], color);
			else
				emit(out, '+', &B, ib[q], color);
		}
		k = end;
	}
	free(L);
	free(ops);
	free(ia);
	free(ib);
out:
	free(A.s);
	free(A.len);
	free(B.s);
	free(B.len);
}

void plan_print(const struct plan *p, FILE *out, bool color)
{
	size_t step = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_item *it = &p->v[i];
		if (!item_changes(it))
			continue;
		step++;
		struct strbuf ids = STRBUF_INIT;
		for (size_t c = 0; c < it->checks.n; c++)
			strbuf_addf(&ids, "%s%s", c ? ", " : "", it->checks.v[c]);
		fprintf(out, "\n%s%zu. [%s] ", color ? "\033[1m" : "", step, strbuf_str(&ids));
		strbuf_release(&ids);
		switch (it->kind) {
		case PLAN_WRITE:
			fprintf(out, "%s %s%s\n", it->existed ? "edit" : "create", it->path, color ? "\033[0m" : "");
			if (it->why)
				fprintf(out, "   %s\n", it->why);
			diff_unified(out, it->path, it->old_data, it->old_len, it->new_data, it->new_len, color);
			break;
		case PLAN_MOVE_ASIDE:
			fprintf(out, "move %s into the journal%s\n", it->path, color ? "\033[0m" : "");
			if (it->why)
				fprintf(out, "   %s\n", it->why);
			break;
		case PLAN_SYMLINK:
			fprintf(out, "symlink %s -> %s%s\n", it->path, it->target, color ? "\033[0m" : "");
			if (it->why)
				fprintf(out, "   %s\n", it->why);
			break;
		case PLAN_CLEAR_FLAGS:
			fprintf(out, "clear the %s attribute%s of %s%s\n",
				it->flags == 0x10 ? "immutable" : it->flags == 0x20 ? "append-only" : "immutable and append-only",
				it->flags == 0x30 ? "s" : "", it->path, color ? "\033[0m" : "");
			break;
		case PLAN_COMMAND: {
			fprintf(out, "run%s:%s ", it->in_target ? " in the target" : "", color ? "\033[0m" : "");
			for (size_t a = 0; a < it->argv.n; a++)
				fprintf(out, "%s%s", a ? " " : "", it->argv.v[a]);
			fputc('\n', out);
			if (it->why)
				fprintf(out, "   %s\n", it->why);
			for (size_t r = 0; r < it->regenerates.n; r++)
				fprintf(out, "   regenerates %s (the old one is kept in the journal)\n", it->regenerates.v[r]);
			break;
		}
		}
	}
	for (size_t i = 0; i < p->notes.n; i++)
		fprintf(out, "note: %s\n", p->notes.v[i]);
}
