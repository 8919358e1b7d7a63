/*
 * The YAML loader (libyaml) behind ydoc.h, and the two cloud-init entry points that need it.
 * Built from libyaml's event stream rather than its document API, so that we keep what PyYAML
 * keeps (whether a scalar was plain or carried a tag), refuse what PyYAML refuses (a second
 * document, a duplicate anchor) and bound nodes and nesting before they are allocated.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "cloudinit.h"
#include "util.h"
#include "ydoc.h"
#include "banned.h"

struct anchor {
	char *name;
	size_t id;
};

struct loader {
	struct ydoc *doc;
	struct anchor *anchors; /* open addressing, power-of-two size */
	size_t nanchors, cap;
	size_t *stack; /* open collections */
	size_t depth, stack_alloc;
	size_t entries; /* nodes plus alias references */
	const char *data;
	size_t len;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static struct anchor *anchor_slot(struct loader *L, const char *name)
{
	size_t mask = L->cap - 1;
	for (size_t i = (size_t)hash_str(name) & mask;; i = (i + 1) & mask)
		if (!L->anchors[i].name || strcmp(L->anchors[i].name, name) == 0)
			return &L->anchors[i];
}

static void anchors_clear(struct loader *L)
{
	for (size_t i = 0; i < L->cap; i++)
		free(L->anchors[i].name);
	free(L->anchors);
	L->anchors = NULL;
	L->nanchors = L->cap = 0;
}

/* 0, or -EEXIST for an anchor defined twice (PyYAML's "found duplicate anchor"). */
static int anchor_add(struct loader *L, const char *name, size_t id)
{
	if ((L->nanchors + 1) * 2 > L->cap) {
		struct anchor *old = L->anchors;
		size_t oldcap = L->cap;
		L->cap = L->cap ? L->cap * 2 : 16;
		L->anchors = xcalloc(L->cap, sizeof(*L->anchors));
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].name)
				*anchor_slot(L, old[i].name) = old[i];
		free(old);
	}
	struct anchor *a = anchor_slot(L, name);
	if (a->name)
		return -EEXIST;
	a->name = xstrdup(name);
	a->id = id;
	L->nanchors++;
	return 0;
}

static size_t anchor_get(struct loader *L, const char *name)
{
	if (!L->cap)
		return 0;
	struct anchor *a = anchor_slot(L, name);
	return a->name ? a->id : 0;
}

static void set_err(struct yerr *err, const yaml_mark_t *m, char *msg)
{
	free(err->msg);
	err->msg = msg;
	err->line = m ? (unsigned)m->line + 1 : 0;
	err->col = m ? (unsigned)m->column + 1 : 0;
}

static char *printable(const char *s)
{
	return str_printable(s ? s : "", 80);
}

/* Line of a byte offset, for reader errors that carry only an offset. */
static unsigned line_of_offset(const char *data, size_t len, size_t off)
{
	unsigned line = 1;
	for (size_t i = 0; i < off && i < len; i++)
		if (data[i] == '\n')
			line++;
	return line;
}

static void parser_err(const yaml_parser_t *p, const char *data, size_t len, struct yerr *err)
{
	if (p->error == YAML_READER_ERROR) {
		char *msg = xasprintf("%s", p->problem ? p->problem : "cannot read the stream");
		set_err(err, NULL, msg);
		err->line = line_of_offset(data, len, p->problem_offset);
		return;
	}
	if (p->error == YAML_MEMORY_ERROR)
		die_oom();
	char *msg;
	if (p->context)
		msg = xasprintf("%s %s", p->problem ? p->problem : "syntax error", p->context);
	else
		msg = xasprintf("%s", p->problem ? p->problem : "syntax error");
	set_err(err, &p->problem_mark, msg);
}

static size_t new_node(struct loader *L, enum ynode_kind kind, const yaml_mark_t *m, const yaml_char_t *tag)
{
	struct ydoc *d = L->doc;
	if (d->n == d->alloc) {
		d->alloc = d->alloc ? d->alloc * 2 : 64;
		d->v = xreallocarray(d->v, d->alloc, sizeof(*d->v));
		if (d->n == 0) {
			memset(&d->v[0], 0, sizeof(d->v[0]));
			d->n = 1;
		}
	}
	size_t id = d->n++;
	struct ynode *n = &d->v[id];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->line = (unsigned)m->line + 1;
	n->col = (unsigned)m->column + 1;
	/* "!" is the non-specific tag: a string for scalars, the default for collections */
	if (tag && strcmp((const char *)tag, "!") != 0)
		n->tag = xstrdup((const char *)tag);
	return id;
}

int ydoc_load(const char *data, size_t len, struct ydoc *doc, struct yerr *err)
{
	yaml_parser_t p;
	yaml_event_t ev;
	struct loader L;
	size_t *kids_cap = NULL;
	bool *odd = NULL; /* per open mapping: a key is waiting for its value */
	int ret = 0;
	unsigned docs = 0;

	memset(doc, 0, sizeof(*doc));
	memset(err, 0, sizeof(*err));
	memset(&L, 0, sizeof(L));
	L.doc = doc;
	L.data = data;
	L.len = len;
	if (!yaml_parser_initialize(&p))
		die_oom();
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);

	for (;;) {
		if (!yaml_parser_parse(&p, &ev)) {
			parser_err(&p, data, len, err);
			ret = -EINVAL;
			goto out;
		}
		size_t id = 0;
		bool done = false;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				set_err(err, &ev.start_mark, xstrdup("expected a single document in the stream, but found another document"));
				ret = -EINVAL;
			}
			anchors_clear(&L);
			break;
		case YAML_ALIAS_EVENT:
			id = anchor_get(&L, (const char *)ev.data.alias.anchor);
			if (!id) {
				char *a = printable((const char *)ev.data.alias.anchor);
				set_err(err, &ev.start_mark, xasprintf("found undefined alias '%s'", a));
				free(a);
				ret = -EINVAL;
			}
			break;
		case YAML_SCALAR_EVENT: {
			id = new_node(&L, YNODE_SCALAR, &ev.start_mark, ev.data.scalar.tag);
			struct ynode *n = &doc->v[id];
			n->str = xmalloc(ev.data.scalar.length + 1);
			memcpy(n->str, ev.data.scalar.value, ev.data.scalar.length);
			n->str[ev.data.scalar.length] = '\0';
			n->len = ev.data.scalar.length;
			n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev.data.scalar.tag;
			if (ev.data.scalar.anchor && anchor_add(&L, (const char *)ev.data.scalar.anchor, id) < 0)
				ret = -EEXIST;
			break;
		}
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			bool map = ev.type == YAML_MAPPING_START_EVENT;
			const yaml_char_t *tag = map ? ev.data.mapping_start.tag : ev.data.sequence_start.tag;
			const yaml_char_t *anchor = map ? ev.data.mapping_start.anchor : ev.data.sequence_start.anchor;
			id = new_node(&L, map ? YNODE_MAP : YNODE_SEQ, &ev.start_mark, tag);
			/* registered before its content, as PyYAML does: "&a [*a]" is a cycle, not an error */
			if (anchor && anchor_add(&L, (const char *)anchor, id) < 0)
				ret = -EEXIST;
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (L.depth)
				L.depth--;
			break;
		default:
			break;
		}
		if (ret == -EEXIST) {
			set_err(err, &ev.start_mark, xstrdup("found duplicate anchor"));
			ret = -EINVAL;
		}
		if (!ret && id) {
			if (++L.entries > YDOC_MAX_NODES) {
				set_err(err, &ev.start_mark, xasprintf("more than %u nodes and aliases", YDOC_MAX_NODES));
				err->limit = true;
				ret = -EINVAL;
			} else if (docs <= 1) {
				if (L.depth) {
					struct ynode *parent = &doc->v[L.stack[L.depth - 1]];
					size_t used = parent->kind == YNODE_MAP ? parent->n * 2 + (odd[L.depth - 1] ? 1 : 0)
										: parent->n;
					if (used + 1 > kids_cap[L.depth - 1]) {
						kids_cap[L.depth - 1] = kids_cap[L.depth - 1] ? kids_cap[L.depth - 1] * 2 : 8;
						parent->kids = xreallocarray(parent->kids, kids_cap[L.depth - 1],
									     sizeof(*parent->kids));
					}
					parent->kids[used] = id;
					if (parent->kind == YNODE_MAP) {
						if (odd[L.depth - 1])
							parent->n++;
						odd[L.depth - 1] = !odd[L.depth - 1];
					} else {
						parent->n++;
					}
				} else if (!doc->root) {
					doc->root = id;
				}
			}
			if (!ret && (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT)) {
				if (L.depth >= YDOC_MAX_DEPTH) {
					set_err(err, &ev.start_mark, xasprintf("nested deeper than %u levels", YDOC_MAX_DEPTH));
					err->limit = true;
					ret = -EINVAL;
				} else {
					if (L.depth == L.stack_alloc) {
						L.stack_alloc = L.stack_alloc ? L.stack_alloc * 2 : 16;
						L.stack = xreallocarray(L.stack, L.stack_alloc, sizeof(*L.stack));
						kids_cap = xreallocarray(kids_cap, L.stack_alloc, sizeof(*kids_cap));
						odd = xreallocarray(odd, L.stack_alloc, sizeof(*odd));
					}
					L.stack[L.depth] = id;
					kids_cap[L.depth] = 0;
					odd[L.depth] = false;
					L.depth++;
				}
			}
		}
		yaml_event_delete(&ev);
		if (ret || done)
			break;
	}
out:
	yaml_parser_delete(&p);
	anchors_clear(&L);
	free(L.stack);
	free(kids_cap);
	free(odd);
	if (ret)
		ydoc_free(doc);
	return ret;
}

struct span {
	size_t start, end; /* character indexes, as libyaml counts them */
	size_t line;       /* 0-based line of the start */
	bool tab_ok;       /* quoted or block: tabs in the text are text */
	bool block;        /* block scalar: its header line is not text */
};

static void set_text_err(struct yerr *err, unsigned line, unsigned col, const char *msg)
{
	free(err->msg);
	err->msg = xstrdup(msg);
	err->line = line;
	err->col = col;
}

int ydoc_check_pyyaml_text(const char *data, size_t len, struct yerr *err)
{
	const unsigned char *u = (const unsigned char *)data;
	memset(err, 0, sizeof(*err));
	if (len >= 2 && ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff))) {
		set_text_err(err, 1, 1, "UTF-16 text: cloud-init reads its files as UTF-8");
		return -EINVAL;
	}
	bool tabs = memchr(data, '\t', len) != NULL, questions = memchr(data, '?', len) != NULL;
	if (!tabs && !questions)
		return 0;

	/* where the scalars are; and PyYAML ends a plain scalar at '?' inside [] and {} */
	struct span *spans = NULL;
	size_t n = 0, alloc = 0;
	int ret = 0;
	unsigned flow = 0;
	yaml_parser_t p;
	yaml_token_t tok;
	if (!yaml_parser_initialize(&p))
		die_oom();
	yaml_parser_set_input_string(&p, u, len);
	for (;;) {
		if (!yaml_parser_scan(&p, &tok))
			break; /* the loader reports syntax errors; check what was scanned */
		bool end = tok.type == YAML_STREAM_END_TOKEN || tok.type == YAML_NO_TOKEN;
		if (tok.type == YAML_FLOW_SEQUENCE_START_TOKEN || tok.type == YAML_FLOW_MAPPING_START_TOKEN)
			flow++;
		else if ((tok.type == YAML_FLOW_SEQUENCE_END_TOKEN || tok.type == YAML_FLOW_MAPPING_END_TOKEN) && flow)
			flow--;
		if (tok.type == YAML_SCALAR_TOKEN) {
			bool plain = tok.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			if (plain && flow && memchr(tok.data.scalar.value, '?', tok.data.scalar.length) && !ret) {
				set_text_err(err, (unsigned)tok.start_mark.line + 1, (unsigned)tok.start_mark.column + 1,
					     "a plain scalar with '?' inside [] or {}: PyYAML, which cloud-init uses, "
					     "ends the scalar there and fails (quote it)");
				ret = -EINVAL;
			}
			if (n == alloc) {
				alloc = alloc ? alloc * 2 : 32;
				spans = xreallocarray(spans, alloc, sizeof(*spans));
			}
			spans[n].start = tok.start_mark.index;
			spans[n].end = tok.end_mark.index;
			spans[n].line = tok.start_mark.line;
			spans[n].tab_ok = !plain;
			spans[n].block = tok.data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
					 tok.data.scalar.style == YAML_FOLDED_SCALAR_STYLE;
			n++;
		}
		yaml_token_delete(&tok);
		if (end || ret || n > 4 * (size_t)YDOC_MAX_NODES)
			break;
	}
	yaml_parser_delete(&p);

	size_t i = 0, ci = 0, si = 0;
	unsigned line = 1, col = 1;
	bool comment = false;
	if (len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)
		i = 3; /* the byte order mark is not a character to libyaml */
	for (; tabs && !ret && i < len; i++) {
		if ((u[i] & 0xc0) == 0x80)
			continue; /* a UTF-8 continuation byte: same character */
		while (si < n && spans[si].end <= ci)
			si++;
		bool inside = si < n && spans[si].start <= ci && ci < spans[si].end;
		/* a block scalar's header line ("|-  # comment") is not its text */
		if (inside && spans[si].block && spans[si].line + 1 == line)
			inside = false;
		if (u[i] == '\n') {
			comment = false;
			line++;
			col = 0;
		} else if (inside) {
			if (u[i] == '\t' && !spans[si].tab_ok)
				ret = -EINVAL;
		} else if (u[i] == '#') {
			comment = true;
		} else if (u[i] == '\t' && !comment) {
			ret = -EINVAL;
		}
		if (ret)
			set_text_err(err, line, col,
				     "found character '\\t' that cannot start any token "
				     "(PyYAML, which cloud-init uses, does not accept tabs here)");
		ci++;
		col++;
	}
	free(spans);
	return ret;
}

void ci_config_add_file(struct ci_config *c, const char *path, const char *data, size_t len)
{
	struct ydoc doc;
	struct yerr err;
	if (ydoc_load(data ? data : "", data ? len : 0, &doc, &err) == 0 &&
	    ydoc_check_pyyaml_text(data ? data : "", data ? len : 0, &err) < 0)
		ydoc_free(&doc);
	ci_config_add_loaded(c, path, data, len, &doc, &err);
	ydoc_free(&doc);
	yerr_free(&err);
}

void ci_config_set_cmdline(struct ci_config *c, const char *cmdline)
{
	char *cc = cmdline ? ci_cmdline_cc(cmdline) : NULL;
	struct ydoc doc;
	struct yerr err;
	memset(&doc, 0, sizeof(doc));
	memset(&err, 0, sizeof(err));
	if (cc && ydoc_load(cc, strlen(cc), &doc, &err) == 0 && ydoc_check_pyyaml_text(cc, strlen(cc), &err) < 0)
		ydoc_free(&doc);
	ci_config_set_cmdline_loaded(c, cmdline, &doc, &err);
	ydoc_free(&doc);
	yerr_free(&err);
	free(cc);
}
