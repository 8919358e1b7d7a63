/* A Windows fix plan: files through the portable plan, registry values, drivers and installers (winplan.h). */
#include "winplan.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "winsys.h"
#include "banned.h"

struct winplan *winplan_of(struct plan *p)
{
	return (struct winplan *)(void *)((char *)p - offsetof(struct winplan, base));
}

static void step_free(struct wstep *s)
{
	strvec_clear(&s->checks);
	free(s->why);
	free(s->path);
	free(s->key);
	free(s->name);
	reg_value_free(&s->old);
	reg_value_free(&s->want);
	strvec_clear(&s->argv);
}

void winplan_free(struct winplan *wp)
{
	for (size_t i = 0; i < wp->n; i++)
		step_free(&wp->v[i]);
	free(wp->v);
	wp->v = NULL;
	wp->n = 0;
	plan_free(&wp->base);
}

static void add_check(struct wstep *s, const struct check *c, const char *why)
{
	if (c && !strvec_contains(&s->checks, c->id))
		strvec_push(&s->checks, c->id);
	if (why && !(s->why && strstr(s->why, why))) {
		char *w = s->why ? xasprintf("%s; %s", s->why, why) : xstrdup(why);
		free(s->why);
		s->why = w;
	}
}

struct wstep *winplan_step(struct winplan *wp, enum wstep_kind k, const struct check *c, const char *path,
			   const char *why)
{
	wp->v = xreallocarray(wp->v, wp->n + 1, sizeof(*wp->v));
	struct wstep *s = &wp->v[wp->n++];
	memset(s, 0, sizeof(*s));
	s->kind = k;
	s->path = path ? xstrdup(path) : NULL;
	s->installer = k == WS_DRIVER || k == WS_MSI || k == WS_EXE;
	add_check(s, c, why);
	return s;
}

void winplan_file(struct winplan *wp, const struct check *c, const char *path, const char *data, size_t len,
		  const char *why)
{
	plan_write(&wp->base, c, path, data, len, 0644, why);
	for (size_t i = 0; i < wp->n; i++)
		if (wp->v[i].kind == WS_FILE && strcmp(wp->v[i].path, path) == 0) {
			add_check(&wp->v[i], c, why);
			return;
		}
	winplan_step(wp, WS_FILE, c, path, why);
}

void winplan_reg(struct winplan *wp, const struct check *c, const char *key, const char *name,
		 const struct reg_value *want, const char *why)
{
	struct wstep *s = NULL;
	for (size_t i = 0; i < wp->n && !s; i++)
		if (wp->v[i].kind == WS_REG && _stricmp(wp->v[i].key, key) == 0 && _stricmp(wp->v[i].name, name) == 0)
			s = &wp->v[i];
	if (!s) {
		struct reg_value old;
		if (reg_get(key, name, &old) < 0)
			memset(&old, 0, sizeof(old));
		if (reg_value_eq(&old, want)) {
			reg_value_free(&old);
			return;
		}
		s = winplan_step(wp, WS_REG, c, NULL, why);
		s->key = xstrdup(key);
		s->name = xstrdup(name);
		s->old = old;
	} else {
		add_check(s, c, why);
		reg_value_free(&s->want);
	}
	reg_value_copy(&s->want, want);
}

void winplan_reg_dword(struct winplan *wp, const struct check *c, const char *key, const char *name, uint32_t v,
		       const char *why)
{
	struct reg_value want;
	reg_value_dword(&want, v);
	winplan_reg(wp, c, key, name, &want, why);
	reg_value_free(&want);
}

void winplan_reg_sz(struct winplan *wp, const struct check *c, const char *key, const char *name, uint32_t type,
		    const char *s, const char *why)
{
	struct reg_value want;
	reg_value_sz(&want, type, s);
	winplan_reg(wp, c, key, name, &want, why);
	reg_value_free(&want);
}

static const struct plan_item *file_item(const struct winplan *wp, const char *path)
{
	for (size_t i = 0; i < wp->base.n; i++)
		if (wp->base.v[i].kind == PLAN_WRITE && strcmp(wp->base.v[i].path, path) == 0)
			return &wp->base.v[i];
	return NULL;
}

static bool step_changes(const struct winplan *wp, const struct wstep *s)
{
	if (s->kind != WS_FILE)
		return true;
	const struct plan_item *it = file_item(wp, s->path);
	return it && !it->read_err &&
	       (!it->existed || it->old_len != it->new_len || memcmp(it->old_data, it->new_data, it->old_len) != 0);
}

size_t winplan_count(const struct winplan *wp)
{
	size_t n = 0;
	for (size_t i = 0; i < wp->n; i++)
		n += step_changes(wp, &wp->v[i]);
	return n;
}

bool winplan_has_installer(const struct winplan *wp)
{
	for (size_t i = 0; i < wp->n; i++)
		if (wp->v[i].installer)
			return true;
	return false;
}

/* Text with CRLF endings shown as lines (the diff would show every CR), the endings kept in the file. */
static char *without_cr(const char *d, size_t n, size_t *len, bool *had)
{
	char *o = xmalloc(n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (d[i] == '\r' && i + 1 < n && d[i + 1] == '\n') {
			*had = true;
			continue;
		}
		o[k++] = d[i];
	}
	o[k] = '\0';
	*len = k;
	return o;
}

static void show_diff(FILE *out, const char *path, const struct plan_item *it, bool color)
{
	bool crlf = false;
	size_t al, bl;
	char *a = without_cr(it->old_data, it->old_len, &al, &crlf), *b = without_cr(it->new_data, it->new_len, &bl, &crlf);
	/* diff_unified labels a/PATH and b/PATH, as for the absolute paths of Linux. */
	char *label = xasprintf("/%s", path);
	diff_unified(out, label, a, al, b, bl, color);
	if (crlf)
		fputs("   (shown without the file's CRLF line endings, which are kept)\n", out);
	free(label);
	free(a);
	free(b);
}

static void print_argv(FILE *out, const struct strvec *argv)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t a = 0; a < argv->n; a++) {
		if (a)
			strbuf_addch(&sb, ' ');
		win_quote_arg(&sb, argv->v[a]);
	}
	char *p = str_printable(strbuf_str(&sb), 4096);
	fputs(p, out);
	free(p);
	strbuf_release(&sb);
}

void winplan_print(const struct winplan *wp, FILE *out, bool color)
{
	const char *bold = color ? "\033[1m" : "", *off = color ? "\033[0m" : "";
	size_t step = 0;
	/* Installers run first, as fix applies them. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < wp->n; i++) {
			const struct wstep *s = &wp->v[i];
			if (s->installer != (pass == 0) || !step_changes(wp, s))
				continue;
			step++;
			struct strbuf ids = STRBUF_INIT;
			for (size_t c = 0; c < s->checks.n; c++)
				strbuf_addf(&ids, "%s%s", c ? ", " : "", s->checks.v[c]);
			fprintf(out, "\n%s%zu. [%s] ", bold, step, strbuf_str(&ids));
			strbuf_release(&ids);
			switch (s->kind) {
			case WS_FILE: {
				const struct plan_item *it = file_item(wp, s->path);
				fprintf(out, "%s %s%s\n", it->existed ? "edit" : "create", s->path, off);
				if (s->why)
					fprintf(out, "   %s\n", s->why);
				/* A driver file is bytes, not lines: say what it is instead of a diff. */
				if (memchr(it->new_data, '\0', it->new_len) || memchr(it->old_data, '\0', it->old_len))
					fprintf(out, "   %zu bytes%s\n", it->new_len, it->existed ? " replace the file" : "");
				else
					show_diff(out, s->path, it, color);
				break;
			}
			case WS_REG: {
				char *o = reg_value_show(&s->old), *n = reg_value_show(&s->want);
				fprintf(out, "set %s\\%s%s\n   %s -> %s\n", s->key, *s->name ? s->name : "(default)", off, o, n);
				if (s->why)
					fprintf(out, "   %s\n", s->why);
				free(o);
				free(n);
				break;
			}
			case WS_DRIVER:
				fprintf(out, "stage the driver package %s into the driver store%s\n", s->path, off);
				if (s->why)
					fprintf(out, "   %s\n", s->why);
				break;
			case WS_MSI:
			case WS_EXE:
			case WS_COMMAND:
				fprintf(out, "run:%s ", off);
				print_argv(out, &s->argv);
				fputc('\n', out);
				if (s->why)
					fprintf(out, "   %s\n", s->why);
				break;
			}
		}
	}
	for (size_t i = 0; i < wp->base.notes.n; i++)
		fprintf(out, "note: %s\n", wp->base.notes.v[i]);
}
