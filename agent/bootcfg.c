/* Bootloader configuration: GRUB 2 defaults and grub.cfg, BLS entries, GRUB legacy, extlinux. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "banned.h"

/* ---- variables (grub.cfg "set", grubenv, /etc/default/grub) as "name=value" strings ---- */

static const char *var_get(const struct strvec *vars, const char *name, size_t n)
{
	/* The last assignment wins. */
	for (size_t i = vars ? vars->n : 0; i-- > 0;)
		if (strncmp(vars->v[i], name, n) == 0 && vars->v[i][n] == '=')
			return vars->v[i] + n + 1;
	return NULL;
}

static void var_set(struct strvec *vars, const char *name, const char *value)
{
	strvec_pushf(vars, "%s=%s", name, value);
}

static bool is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Expand $name and ${name} from one or two variable lists (unknown ones expand to nothing). */
static void expand_var(struct strbuf *sb, const char **sp, const struct strvec *a, const struct strvec *b)
{
	const char *s = *sp + 1;
	const char *name;
	size_t n;
	if (*s == '{') {
		name = s + 1;
		n = strcspn(name, "}");
		s = name + n + (name[n] == '}');
	} else {
		name = s;
		n = 0;
		while (is_name_char(name[n]))
			n++;
		s = name + n;
	}
	if (n == 0) {
		strbuf_addch(sb, '$');
		*sp = *sp + 1;
		return;
	}
	const char *v = var_get(a, name, n);
	if (!v)
		v = var_get(b, name, n);
	if (v)
		strbuf_addstr(sb, v);
	*sp = s;
}

/*
 * Split a line into words the way GRUB's and sh's lexers do for what configuration files use:
 * single quotes literal, double quotes with \ escapes and $ expansion, bare words with $ expansion.
 * Inside double quotes a backslash only escapes \ " $ ` (both lexers keep it before anything
 * else: "a\tb" is four characters); backslash-newline is removed. A '#' at the start of a word
 * begins a comment. Returns false on an unterminated quote or a final backslash.
 */
static bool split_words(const char *s, struct strvec *out, const struct strvec *a, const struct strvec *b)
{
	struct strbuf w = STRBUF_INIT;
	bool ok = true;
	for (;;) {
		while (*s && isspace((unsigned char)*s))
			s++;
		if (!*s || *s == '#')
			break;
		strbuf_reset(&w);
		bool any = false;
		while (*s && !isspace((unsigned char)*s)) {
			if (*s == '\\' && s[1] == '\n') {
				s += 2; /* a line continuation joins, but is no word by itself */
				continue;
			}
			any = true;
			if (*s == '\'') {
				s++;
				while (*s && *s != '\'')
					strbuf_addch(&w, *s++);
				if (!*s) {
					ok = false;
					break;
				}
				s++;
			} else if (*s == '"') {
				s++;
				while (*s && *s != '"') {
					if (*s == '\\' && s[1] == '\n') {
						s += 2;
					} else if (*s == '\\' && s[1] && strchr("\\\"$`", s[1])) {
						strbuf_addch(&w, s[1]);
						s += 2;
					} else if (*s == '$') {
						expand_var(&w, &s, a, b);
					} else {
						strbuf_addch(&w, *s++);
					}
				}
				if (!*s) {
					ok = false;
					break;
				}
				s++;
			} else if (*s == '\\') {
				if (!s[1]) {
					ok = false; /* a continuation with no next line */
					break;
				}
				strbuf_addch(&w, s[1]);
				s += 2;
			} else if (*s == '$') {
				expand_var(&w, &s, a, b);
			} else {
				strbuf_addch(&w, *s++);
			}
		}
		if (any)
			strvec_push(out, strbuf_str(&w));
		if (!ok)
			break;
	}
	strbuf_release(&w);
	return ok;
}

/* Join words [from, n) with single spaces. */
static char *join_words(const struct strvec *w, size_t from)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = from; i < w->n; i++) {
		if (sb.len)
			strbuf_addch(&sb, ' ');
		strbuf_addstr(&sb, w->v[i]);
	}
	return strbuf_detach(&sb);
}

/* ---- /etc/default/grub ---- */

enum qstate { Q_NONE, Q_SINGLE, Q_DOUBLE };

/* The quoting state after one physical line; *cont when it ends in a backslash that joins lines. */
static enum qstate scan_quotes(const char *s, enum qstate q, bool *cont)
{
	bool word_start = true;
	*cont = false;
	for (; *s; s++) {
		if (q == Q_SINGLE) {
			if (*s == '\'')
				q = Q_NONE;
		} else if (*s == '\\') {
			if (!s[1]) {
				*cont = true;
				break;
			}
			s++;
			word_start = false;
		} else if (q == Q_DOUBLE) {
			if (*s == '"')
				q = Q_NONE;
		} else if (*s == '\'' || *s == '"') {
			q = *s == '"' ? Q_DOUBLE : Q_SINGLE;
			word_start = false;
		} else if (*s == '#' && word_start) {
			break; /* a comment: quotes in it do not count */
		} else {
			word_start = isspace((unsigned char)*s);
		}
	}
	return q;
}

/* How many lines one logical line may span (a quote left open by mistake must not eat the file). */
#define MAX_JOINED_LINES 64

/*
 * Extend text (the start of a logical line, already taken from it) with the following lines
 * while a quote is open or a line ends in a backslash, as sh and GRUB's lexer read them: the
 * newline is then part of the quoted text, or a line continuation. If the line never closes
 * (end of input, or MAX_JOINED_LINES), the iterator is put back after the first line, so that
 * one stray quote costs one line, and false is returned.
 */
static bool read_logical(struct line_iter *it, struct strbuf *text)
{
	bool cont;
	enum qstate q = scan_quotes(strbuf_str(text), Q_NONE, &cont);
	if (q == Q_NONE && !cont)
		return true;
	const char *save_p = it->p;
	unsigned save_lineno = it->lineno;
	for (unsigned joined = 1; joined < MAX_JOINED_LINES && line_iter_next(it); joined++) {
		strbuf_addch(text, '\n');
		strbuf_addstr(text, it->line);
		q = scan_quotes(it->line, q, &cont);
		if (q == Q_NONE && !cont)
			return true;
	}
	it->p = save_p;
	it->lineno = save_lineno;
	return false;
}

void grub_defaults_parse(const char *data, size_t len, struct grub_defaults *d)
{
	struct strvec vars = STRVEC_INIT;
	struct strbuf value = STRBUF_INIT;
	struct line_iter it;
	if (d->cmdline_linux)
		var_set(&vars, "GRUB_CMDLINE_LINUX", d->cmdline_linux);
	if (d->cmdline_default)
		var_set(&vars, "GRUB_CMDLINE_LINUX_DEFAULT", d->cmdline_default);
	line_iter_init(&it, data, len);
	while (line_iter_next(&it)) {
		char *l = str_trim(it.line);
		if (str_starts_with(l, "export "))
			l = str_trim(l + 7);
		char *eq = strchr(l, '=');
		if (!eq || eq == l || *l == '#')
			continue;
		bool name_ok = true;
		for (char *c = l; c < eq; c++)
			name_ok = name_ok && is_name_char(*c);
		if (!name_ok)
			continue;
		*eq = '\0';
		char *name = xstrdup(l);
		unsigned lineno = it.lineno;
		strbuf_reset(&value);
		strbuf_addstr(&value, eq + 1);
		/* A value may go on over several lines ("...\n..." or a backslash at the end). */
		struct strvec w = STRVEC_INIT;
		bool ok = read_logical(&it, &value) && split_words(strbuf_str(&value), &w, &vars, NULL);
		if (ok && w.n <= 1) {
			const char *val = w.n ? w.v[0] : "";
			var_set(&vars, name, val);
			if (strcmp(name, "GRUB_CMDLINE_LINUX") == 0) {
				free(d->cmdline_linux);
				d->cmdline_linux = xstrdup(val);
				d->cmdline_linux_line = lineno;
			} else if (strcmp(name, "GRUB_CMDLINE_LINUX_DEFAULT") == 0) {
				free(d->cmdline_default);
				d->cmdline_default = xstrdup(val);
				d->cmdline_default_line = lineno;
			} else if (strcmp(name, "GRUB_DISABLE_LINUX_UUID") == 0) {
				d->disable_uuid = strcmp(val, "true") == 0;
				d->disable_uuid_line = lineno;
			} else if (strcmp(name, "GRUB_DEFAULT") == 0) {
				free(d->grub_default);
				d->grub_default = xstrdup(val);
			}
		}
		strvec_clear(&w);
		free(name);
	}
	line_iter_done(&it);
	strbuf_release(&value);
	strvec_clear(&vars);
}

void grub_defaults_free(struct grub_defaults *d)
{
	free(d->cmdline_linux);
	free(d->cmdline_default);
	free(d->grub_default);
	memset(d, 0, sizeof(*d));
}

/* ---- entries ---- */

void boot_list_free(struct boot_list *l)
{
	boot_entries_free(l->v, l->n);
	free(l->default_spec);
	strvec_clear(&l->notes);
	memset(l, 0, sizeof(*l));
}

#define MAX_ENTRIES 4096

static struct boot_entry *new_entry(struct boot_list *l, const char *file, unsigned line)
{
	if (l->n >= MAX_ENTRIES)
		return NULL;
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 8;
		l->v = xreallocarray(l->v, l->alloc, sizeof(*l->v));
	}
	struct boot_entry *e = &l->v[l->n++];
	memset(e, 0, sizeof(*e));
	e->source = xstrdup(file);
	e->line = line;
	e->sub = -1;
	return e;
}

static void set_str(char **dst, char *owned)
{
	free(*dst);
	*dst = owned;
}

/*
 * Of several initrd files, the distribution's initramfs: the last whose name starts with "initr"
 * (initrd.img-*, initramfs-*), else the last one. Microcode comes first on Debian and Ubuntu
 * ("initrd /intel-ucode.img /initrd.img-6.1"); RHEL's BLS entries put "$tuned_initrd" last.
 */
static char *pick_initrd(const struct strvec *w, size_t from)
{
	const char *pick = NULL;
	for (size_t i = from; i < w->n; i++) {
		const char *base = strrchr(w->v[i], '/');
		base = base ? base + 1 : w->v[i];
		if (str_starts_with(base, "initr"))
			pick = w->v[i];
	}
	if (!pick && w->n > from)
		pick = w->v[w->n - 1];
	return pick ? xstrdup(pick) : NULL;
}

/* The same for a list in one string ("a,b" in syslinux, words in a BLS entry). */
static char *pick_initrd_str(const char *list, const char *seps)
{
	struct strvec w = STRVEC_INIT;
	str_split(&w, list, seps);
	char *r = pick_initrd(&w, 0);
	strvec_clear(&w);
	return r;
}

void grubenv_parse(const char *data, size_t len, struct strvec *env)
{
	struct line_iter it;
	line_iter_init(&it, data, len);
	while (line_iter_next(&it)) {
		const char *l = it.line;
		if (*l == '#' || !strchr(l, '='))
			continue;
		strvec_push(env, l);
	}
	line_iter_done(&it);
}

#define MAX_DEPTH 16

void grubcfg_parse(const char *file, const char *data, size_t len, const struct strvec *grubenv, struct boot_list *l)
{
	struct strvec vars = STRVEC_INIT;
	struct strbuf text = STRBUF_INIT;
	struct line_iter it;
	/* What each open brace belongs to: 'm' menuentry, 's' submenu, 'o' other (if/function). */
	char stack[MAX_DEPTH];
	int depth = 0, top = -1, sub = -1;
	struct boot_entry *cur = NULL;

	/*
	 * grub-mkconfig writes "menuentry '...' $menuentry_id_option 'id' {" after setting it to
	 * "--id" when GRUB supports ids (every GRUB 2 since 2.00 does): ids are what saved_entry
	 * and GRUB_DEFAULT usually name, so the variable must expand to what GRUB uses.
	 */
	var_set(&vars, "menuentry_id_option", "--id");
	line_iter_init(&it, data, len);
	while (line_iter_next(&it)) {
		struct strvec w = STRVEC_INIT;
		unsigned lineno = it.lineno;
		strbuf_reset(&text);
		strbuf_addstr(&text, it.line);
		if (!read_logical(&it, &text) || !split_words(strbuf_str(&text), &w, &vars, grubenv)) {
			strvec_pushf(&l->notes, "%s:%u: unterminated quote", file, lineno);
			strvec_clear(&w);
			continue;
		}
		if (w.n == 0) {
			strvec_clear(&w);
			continue;
		}
		const char *cmd = w.v[0];
		bool opens = strcmp(w.v[w.n - 1], "{") == 0;
		if ((strcmp(cmd, "menuentry") == 0 || strcmp(cmd, "submenu") == 0) && w.n >= 2) {
			bool is_sub = cmd[0] == 's';
			bool in_sub = false;
			for (int i = 0; i < depth; i++)
				in_sub = in_sub || stack[i] == 's';
			if (in_sub)
				sub++;
			else {
				top++;
				sub = -1;
			}
			if (!is_sub) {
				cur = new_entry(l, file, lineno);
				if (cur) {
					cur->title = xstrdup(w.v[1]);
					cur->top = top;
					cur->sub = in_sub ? sub : -1;
					for (size_t i = 2; i < w.n; i++) {
						if (strcmp(w.v[i], "--id") == 0 && i + 1 < w.n && strcmp(w.v[i + 1], "{") != 0)
							set_str(&cur->id, xstrdup(w.v[++i]));
						else if (str_starts_with(w.v[i], "--id="))
							set_str(&cur->id, xstrdup(w.v[i] + 5));
					}
				}
			}
			if (opens && depth < MAX_DEPTH)
				stack[depth++] = is_sub ? 's' : 'm';
			if (is_sub)
				sub = -1;
		} else if (strcmp(cmd, "}") == 0) {
			if (depth > 0) {
				char what = stack[--depth];
				if (what == 'm')
					cur = NULL;
			}
		} else if (cur && (strcmp(cmd, "linux") == 0 || strcmp(cmd, "linux16") == 0 ||
				   strcmp(cmd, "linuxefi") == 0) && w.n >= 2) {
			set_str(&cur->kernel, xstrdup(w.v[1]));
			set_str(&cur->cmdline, join_words(&w, 2));
		} else if (cur && (strcmp(cmd, "initrd") == 0 || strcmp(cmd, "initrd16") == 0 ||
				   strcmp(cmd, "initrdefi") == 0) && w.n >= 2) {
			set_str(&cur->initrd, pick_initrd(&w, 1));
		} else if (strcmp(cmd, "set") == 0 && w.n >= 2) {
			char *eq = strchr(w.v[1], '=');
			if (eq) {
				*eq = '\0';
				var_set(&vars, w.v[1], eq + 1);
				if (strcmp(w.v[1], "default") == 0 && depth == 0)
					set_str(&l->default_spec, xstrdup(eq + 1));
			}
		} else if (strcmp(cmd, "blscfg") == 0) {
			l->uses_blscfg = true;
		} else if (opens && depth < MAX_DEPTH) {
			stack[depth++] = 'o'; /* if ... {, function x {  */
		}
		strvec_clear(&w);
	}
	line_iter_done(&it);
	strbuf_release(&text);
	strvec_clear(&vars);
}

/* Expand every $name and ${name} in s from vars (unknown ones expand to nothing). */
static char *expand_all(const char *s, const struct strvec *vars)
{
	struct strbuf sb = STRBUF_INIT;
	while (*s) {
		if (*s == '$')
			expand_var(&sb, &s, vars, NULL);
		else
			strbuf_addch(&sb, *s++);
	}
	return strbuf_detach(&sb);
}

void bls_parse(const char *file, const char *data, size_t len, const struct strvec *grubenv, struct boot_list *l)
{
	struct line_iter it;
	struct boot_entry *e = new_entry(l, file, 1);
	if (!e)
		return;
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	size_t bl = strlen(base);
	if (str_ends_with(base, ".conf"))
		bl -= 5;
	e->id = xstrndup(base, bl);
	e->top = (int)l->n - 1;
	line_iter_init(&it, data, len);
	while (line_iter_next(&it)) {
		char *s = str_trim(it.line);
		if (!*s || *s == '#')
			continue;
		size_t kl = strcspn(s, " \t");
		char *val = str_trim(s + kl);
		s[kl] = '\0';
		if (strcmp(s, "title") == 0) {
			set_str(&e->title, xstrdup(val));
		} else if (strcmp(s, "linux") == 0) {
			set_str(&e->kernel, xstrdup(val));
		} else if (strcmp(s, "initrd") == 0) {
			/* "initrd /initramfs-5.14.img $tuned_initrd": variables from grubenv, as for options. */
			char *ex = expand_all(val, grubenv);
			char *pick = pick_initrd_str(ex, " \t");
			if (pick)
				set_str(&e->initrd, pick);
			free(ex);
		} else if (strcmp(s, "options") == 0) {
			/* GRUB expands $kernelopts and friends from grubenv when it boots the entry. */
			char *ex = expand_all(val, grubenv);
			if (e->cmdline) {
				/* Several options lines are concatenated. */
				set_str(&e->cmdline, xasprintf("%s %s", e->cmdline, ex));
				free(ex);
			} else {
				set_str(&e->cmdline, ex);
			}
		}
	}
	line_iter_done(&it);
	if (!e->title)
		e->title = xstrdup(e->id);
}

void menulst_parse(const char *file, const char *data, size_t len, struct boot_list *l)
{
	struct line_iter it;
	struct boot_entry *cur = NULL;
	line_iter_init(&it, data, len);
	while (line_iter_next(&it)) {
		char *s = str_trim(it.line);
		if (!*s || *s == '#')
			continue;
		size_t kl = strcspn(s, " \t=");
		char *val = s + kl;
		while (*val == ' ' || *val == '\t' || *val == '=')
			val++;
		s[kl] = '\0';
		val = str_trim(val);
		if (strcmp(s, "default") == 0 && !cur) {
			set_str(&l->default_spec, xstrdup(val));
		} else if (strcmp(s, "title") == 0) {
			cur = new_entry(l, file, it.lineno);
			if (cur) {
				cur->title = xstrdup(val);
				cur->top = (int)l->n - 1;
			}
		} else if (cur && strcmp(s, "kernel") == 0) {
			size_t pl = strcspn(val, " \t");
			set_str(&cur->kernel, xstrndup(val, pl));
			set_str(&cur->cmdline, xstrdup(str_trim(val + pl)));
		} else if (cur && strcmp(s, "initrd") == 0) {
			set_str(&cur->initrd, xstrdup(val));
		}
	}
	line_iter_done(&it);
}

/* The initramfs named by "initrd=a,b" in a syslinux APPEND line. */
static void extlinux_initrd_from_append(struct boot_entry *e, const char *append)
{
	char *ird = cmdline_get(append, "initrd");
	if (ird && !e->initrd)
		e->initrd = pick_initrd_str(ird, ",");
	free(ird);
}

/*
 * syslinux's readconfig.c: DEFAULT, and APPEND before the first LABEL, are global wherever they
 * appear; a LABEL without its own APPEND gets the global one ("APPEND -" means none); DEFAULT names
 * a label by its first word, and MENU DEFAULT marks the entry when DEFAULT names no label (for
 * example "DEFAULT menu.c32", the menu program).
 */
void extlinux_parse(const char *file, const char *data, size_t len, struct boot_list *l)
{
	struct line_iter it;
	struct boot_entry *cur = NULL;
	char *menu_default = NULL, *global_append = NULL;
	size_t first = l->n;
	bool in_label = false; /* true after the first LABEL, even one beyond MAX_ENTRIES */
	bool *own_append = NULL; /* per entry of this file: it had an APPEND line */
	size_t own_alloc = 0;
	line_iter_init(&it, data, len);
	while (line_iter_next(&it)) {
		char *s = str_trim(it.line);
		if (!*s || *s == '#')
			continue;
		size_t kl = strcspn(s, " \t");
		char *val = str_trim(s + kl);
		s[kl] = '\0';
		for (char *c = s; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (strcmp(s, "default") == 0) {
			set_str(&l->default_spec, xstrndup(val, strcspn(val, " \t")));
		} else if (strcmp(s, "label") == 0) {
			in_label = true;
			cur = new_entry(l, file, it.lineno);
			if (cur) {
				size_t idx = l->n - 1 - first;
				if (idx >= own_alloc) {
					own_alloc = own_alloc ? own_alloc * 2 : 16;
					own_append = xreallocarray(own_append, own_alloc, sizeof(*own_append));
				}
				own_append[idx] = false;
				cur->id = xstrdup(val);
				cur->title = xstrdup(val);
				cur->top = (int)l->n - 1;
			}
		} else if (strcmp(s, "append") == 0) {
			if (!in_label)
				set_str(&global_append, xstrdup(val));
			if (!cur)
				continue;
			own_append[(size_t)(cur - l->v) - first] = true;
			set_str(&cur->cmdline, xstrdup(strcmp(val, "-") == 0 ? "" : val));
			extlinux_initrd_from_append(cur, val);
		} else if (cur && (strcmp(s, "kernel") == 0 || strcmp(s, "linux") == 0)) {
			set_str(&cur->kernel, xstrdup(val));
		} else if (cur && strcmp(s, "initrd") == 0) {
			set_str(&cur->initrd, pick_initrd_str(val, ","));
		} else if (cur && strcmp(s, "menu") == 0) {
			if (str_casecmp(val, "default") == 0 && !menu_default)
				menu_default = xstrdup(cur->id);
			else if (str_starts_with(val, "label ") || str_starts_with(val, "LABEL "))
				set_str(&cur->title, xstrdup(str_trim(val + 6)));
		}
	}
	line_iter_done(&it);
	for (size_t i = first; i < l->n; i++) {
		if (own_append[i - first] || !global_append || strcmp(global_append, "-") == 0)
			continue;
		set_str(&l->v[i].cmdline, xstrdup(global_append));
		extlinux_initrd_from_append(&l->v[i], global_append);
	}
	bool default_is_label = false;
	for (size_t i = first; i < l->n && l->default_spec; i++)
		default_is_label = default_is_label || str_eq(l->v[i].id, l->default_spec);
	if (menu_default && !default_is_label)
		set_str(&l->default_spec, menu_default);
	else
		free(menu_default);
	free(global_append);
	free(own_append);
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

void boot_list_mark_default(struct boot_list *l, const char *saved_entry)
{
	for (size_t i = 0; i < l->n; i++)
		l->v[i].is_default = false;
	if (!l->n)
		return;
	const char *spec = l->default_spec;
	if (spec && strcmp(spec, "saved") == 0)
		spec = saved_entry;
	if (spec && (strcmp(spec, "${saved_entry}") == 0 || strcmp(spec, "$saved_entry") == 0))
		spec = saved_entry;
	size_t pick = 0;
	bool found = false;
	if (spec && *spec) {
		/* "1>2": submenu 1, entry 2. "Advanced options>Title" or ids work the same way. */
		const char *gt = strchr(spec, '>');
		if (all_digits(spec)) {
			long idx = strtol(spec, NULL, 10);
			for (size_t i = 0; i < l->n && !found; i++)
				if (l->v[i].top == idx && l->v[i].sub <= 0) {
					pick = i;
					found = true;
				}
		} else if (gt) {
			char *first = xstrndup(spec, (size_t)(gt - spec));
			const char *second = gt + 1;
			for (size_t i = 0; i < l->n && !found; i++) {
				const struct boot_entry *e = &l->v[i];
				if (e->sub < 0)
					continue;
				bool top_ok = all_digits(first) ? e->top == strtol(first, NULL, 10) : true;
				bool sub_ok = all_digits(second) ? e->sub == strtol(second, NULL, 10)
								 : (str_eq(e->title, second) || str_eq(e->id, second));
				if (top_ok && sub_ok) {
					pick = i;
					found = true;
				}
			}
			free(first);
		} else {
			for (size_t i = 0; i < l->n && !found; i++)
				if (str_eq(l->v[i].title, spec) || str_eq(l->v[i].id, spec)) {
					pick = i;
					found = true;
				}
		}
		if (!found)
			strvec_pushf(&l->notes, "default entry '%s' not found; GRUB falls back to the first entry", spec);
	}
	l->v[pick].is_default = true;
}
