/* cloudbase-init's configuration as oslo.config reads it, against Tencent's settings (see cbconf.h). */
#include "cbconf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "inidoc.h"
#include "banned.h"

#define CB_CONFIGDRIVE "cloudbaseinit.metadata.services.configdrive.ConfigDriveService"
#define CB_EC2 "cloudbaseinit.metadata.services.ec2service.EC2Service"
#define CB_HTTP "cloudbaseinit.metadata.services.httpservice.HttpService"

/* The plugins Tencent's configuration runs: the class name, and the module path to add it with. */
static const char *const cb_plugins[][2] = {
	{ "ExtendVolumesPlugin", "cloudbaseinit.plugins.windows.extendvolumes.ExtendVolumesPlugin" },
	{ "NetworkConfigPlugin", "cloudbaseinit.plugins.common.networkconfig.NetworkConfigPlugin" },
	{ "SetHostNamePlugin", "cloudbaseinit.plugins.common.sethostname.SetHostNamePlugin" },
	{ "SetUserPasswordPlugin", "cloudbaseinit.plugins.common.setuserpassword.SetUserPasswordPlugin" },
	{ "LocalScriptsPlugin", "cloudbaseinit.plugins.common.localscripts.LocalScriptsPlugin" },
	{ "UserDataPlugin", "cloudbaseinit.plugins.common.userdata.UserDataPlugin" },
};

/* ---- the file as oslo.config's iniparser sees it ---- */

struct oslo_assign {
	size_t first, last; /* the key line and its last continuation line */
	char *key;
	char *value;        /* first line's value (matching quotes removed), continuation lines joined by '\n' */
	size_t sep;         /* offset in the key line's text after the separator and the blanks after it */
};

struct oslo_err {
	size_t line;
	const char *msg;
};

struct oslo_view {
	struct oslo_err *errs;
	size_t nerrs;
	struct oslo_assign *defs; /* [DEFAULT] assignments, in file order */
	size_t ndefs;
	size_t default_header; /* the last "[DEFAULT]" line, or INI_NONE */
	size_t default_last;   /* the last line of the last assignment after it, or INI_NONE */
	size_t spaced, plain;  /* how many [DEFAULT] assignments are written "key = value" / "key=value" */
};

/* Python's str.isspace() for the bytes cp1252 maps to whitespace. */
static bool py_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f) || c == 0x85 || c == 0xa0;
}

static void rstrip(char *s)
{
	size_t n = strlen(s);
	while (n && py_space((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

static char *strip_dup(const char *s, size_t n)
{
	while (n && py_space((unsigned char)*s))
		s++, n--;
	while (n && py_space((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

static void view_free(struct oslo_view *v)
{
	for (size_t i = 0; i < v->ndefs; i++) {
		free(v->defs[i].key);
		free(v->defs[i].value);
	}
	free(v->defs);
	free(v->errs);
	memset(v, 0, sizeof(*v));
}

static void view_err(struct oslo_view *v, size_t line, const char *msg)
{
	v->errs = xreallocarray(v->errs, v->nerrs + 1, sizeof(*v->errs));
	v->errs[v->nerrs].line = line;
	v->errs[v->nerrs].msg = msg;
	v->nerrs++;
}

static void view_build(const struct ini_doc *d, struct oslo_view *v)
{
	memset(v, 0, sizeof(*v));
	v->default_header = v->default_last = INI_NONE;
	char *section = NULL;
	struct oslo_assign cur;
	bool have = false;
	memset(&cur, 0, sizeof(cur));
	for (size_t i = 0; i <= d->n; i++) {
		/* The byte order mark is part of the first line for a reader that does not expect one. */
		char *line = i == d->n ? NULL : i == 0 && d->bom ? xasprintf("\xef\xbb\xbf%s", d->v[i].raw)
								 : xstrdup(d->v[i].raw);
		size_t prefix = i == 0 && d->bom ? 3 : 0;
		if (line)
			rstrip(line);
		bool cont = line && (line[0] == ' ' || line[0] == '\t');
		if (cont) {
			if (!have) {
				view_err(v, i, "an indented line that continues no value");
			} else {
				size_t k = 0;
				while (py_space((unsigned char)line[k]))
					k++;
				char *nv = xasprintf("%s\n%s", cur.value, line + k);
				free(cur.value);
				cur.value = nv;
				cur.last = i;
			}
			free(line);
			continue;
		}
		/* Anything else ends the value being read. */
		if (have) {
			if (section && strcmp(section, "DEFAULT") == 0) {
				v->defs = xreallocarray(v->defs, v->ndefs + 1, sizeof(*v->defs));
				v->defs[v->ndefs++] = cur;
				v->default_last = cur.last;
			} else {
				free(cur.key);
				free(cur.value);
			}
			memset(&cur, 0, sizeof(cur));
			have = false;
		}
		if (!line || !*line) {
			free(line);
			continue;
		}
		size_t len = strlen(line);
		if (line[0] == '[') {
			if (line[len - 1] != ']') {
				view_err(v, i, "a section header that does not end with ']'");
			} else if (len <= 2) {
				view_err(v, i, "an empty section name");
			} else {
				free(section);
				section = xstrndup(line + 1, len - 2);
				if (strcmp(section, "DEFAULT") == 0) {
					v->default_header = i;
					v->default_last = INI_NONE;
				}
			}
		} else if (line[0] != '#' && line[0] != ';') {
			char *colon = strchr(line, ':'), *equal = strchr(line, '=');
			char *sep = !colon ? equal : !equal ? colon : equal < colon ? equal : colon;
			if (!sep) {
				view_err(v, i, "a line with neither '=' nor ':'");
			} else {
				char *key = strip_dup(line, (size_t)(sep - line));
				char *val = strip_dup(sep + 1, strlen(sep + 1));
				size_t vl = strlen(val);
				if (vl >= 2 && val[0] == val[vl - 1] && (val[0] == '"' || val[0] == '\'')) {
					memmove(val, val + 1, vl - 2);
					val[vl - 2] = '\0';
				}
				if (!*key) {
					view_err(v, i, "an empty key");
					free(key);
					free(val);
				} else if (!section) {
					view_err(v, i, "a setting before any [section]");
					free(key);
					free(val);
				} else {
					cur.first = cur.last = i;
					cur.key = key;
					cur.value = val;
					size_t off = (size_t)(sep - line) + 1;
					while (line[off] == ' ' || line[off] == '\t')
						off++;
					cur.sep = off >= prefix ? off - prefix : 0;
					have = true;
					if (strcmp(section, "DEFAULT") == 0) {
						if (sep > line && (sep[-1] == ' ' || sep[-1] == '\t'))
							v->spaced++;
						else
							v->plain++;
					}
				}
			}
		}
		free(line);
	}
	free(section);
}

/* The assignment that wins for key in [DEFAULT] (the last one), or NULL. */
static const struct oslo_assign *view_get(const struct oslo_view *v, const char *key)
{
	for (size_t i = v->ndefs; i-- > 0;)
		if (strcmp(v->defs[i].key, key) == 0)
			return &v->defs[i];
	return NULL;
}

/* oslo.config's List type: comma-separated items, each stripped. */
static void split_list(const char *s, struct strvec *out)
{
	const char *p = s;
	while (*p) {
		const char *c = strchr(p, ',');
		size_t n = c ? (size_t)(c - p) : strlen(p);
		char *item = strip_dup(p, n);
		if (*item || c)
			strvec_push_nodup(out, item);
		else
			free(item);
		p = c ? c + 1 : p + n;
	}
	/* A trailing comma does not make an item. */
	if (out->n && !*out->v[out->n - 1]) {
		free(out->v[--out->n]);
		out->v[out->n] = NULL;
	}
}

/* oslo.config's Boolean type: 1 true, 0 false, -1 not a boolean. */
static int parse_bool(const char *s)
{
	static const char *const yes[] = { "true", "1", "on", "yes" }, *const no[] = { "false", "0", "off", "no" };
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (str_casecmp(s, yes[i]) == 0)
			return 1;
		if (str_casecmp(s, no[i]) == 0)
			return 0;
	}
	return -1;
}

static bool list_has_ci(const struct strvec *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (str_casecmp(l->v[i], s) == 0)
			return true;
	return false;
}

/* The class name of a dotted plugin path. */
static const char *class_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	return dot ? dot + 1 : path;
}

/* A value from the file, safe to print on one line. */
static char *shown(const char *value)
{
	char *flat = xstrdup(value);
	for (char *p = flat; *p; p++)
		if (*p == '\n')
			*p = ' ';
	char *s = str_printable(flat, 200);
	free(flat);
	return s;
}

/* ---- Tencent's settings ---- */

enum op_kind { OP_SET, OP_APPEND };

struct cb_op {
	enum op_kind kind;
	const char *key;
	char *value;         /* OP_SET */
	struct strvec items; /* OP_APPEND */
};

struct cb_ops {
	struct cb_op *v;
	size_t n;
};

static struct cb_op *op_add(struct cb_ops *o, enum op_kind k, const char *key)
{
	o->v = xreallocarray(o->v, o->n + 1, sizeof(*o->v));
	struct cb_op *op = &o->v[o->n++];
	memset(op, 0, sizeof(*op));
	op->kind = k;
	op->key = key;
	return op;
}

static void ops_free(struct cb_ops *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->v[i].value);
		strvec_clear(&o->v[i].items);
	}
	free(o->v);
	memset(o, 0, sizeof(*o));
}

/* "line 12: key = value" for the evidence, or "key is not set". */
static void note_setting(struct strvec *ev, const struct oslo_assign *a, const char *key, const char *dflt)
{
	if (a) {
		char *s = shown(a->value);
		strvec_pushf(ev, "line %zu: %s = %s", a->first + 1, key, s);
		free(s);
	} else {
		strvec_pushf(ev, "%s is not set (cloudbase-init's default: %s)", key, dflt);
	}
}

static char *where(const struct oslo_assign *a)
{
	return a ? xasprintf("line %zu: ", a->first + 1) : xstrdup("");
}

static void want_value(const struct oslo_view *v, struct cb_ops *ops, struct strvec *problems, struct strvec *ev,
		       const char *key, const char *dflt, const char *want, bool ci, const char *why)
{
	const struct oslo_assign *a = view_get(v, key);
	const char *have = a ? a->value : dflt;
	note_setting(ev, a, key, dflt);
	if (ci ? str_casecmp(have, want) == 0 : strcmp(have, want) == 0)
		return;
	char *w = where(a), *s = shown(have);
	strvec_pushf(problems, "%s%s is %s%s; Tencent's setting is %s (%s)", w, key, s, a ? "" : " (not set)", want,
		     why);
	free(w);
	free(s);
	op_add(ops, OP_SET, key)->value = xstrdup(want);
}

static void want_bool(const struct oslo_view *v, struct cb_ops *ops, struct strvec *problems, struct strvec *ev,
		      const char *key, bool dflt, bool want, const char *why)
{
	const struct oslo_assign *a = view_get(v, key);
	note_setting(ev, a, key, dflt ? "true" : "false");
	int have = a ? parse_bool(a->value) : dflt;
	if (have == (int)want)
		return;
	char *w = where(a), *s = shown(a ? a->value : dflt ? "true" : "false");
	if (have < 0)
		strvec_pushf(problems, "%s%s = %s is not a boolean, which stops cloudbase-init; Tencent's setting is %s",
			     w, key, s, want ? "true" : "false");
	else
		strvec_pushf(problems, "%s%s is %s%s; Tencent's setting is %s (%s)", w, key, s, a ? "" : " (not set)",
			     want ? "true" : "false", why);
	free(w);
	free(s);
	op_add(ops, OP_SET, key)->value = xstrdup(want ? "true" : "false");
}

static void want_metadata(const struct oslo_view *v, struct cb_ops *ops, struct strvec *problems, struct strvec *ev)
{
	const struct oslo_assign *a = view_get(v, "metadata_services");
	note_setting(ev, a, "metadata_services", "HttpService, ConfigDriveService, EC2Service, ...");
	struct strvec items = STRVEC_INIT;
	if (a)
		split_list(a->value, &items);
	else
		strvec_push(&items, CB_HTTP);
	/* The config drive must be tried first; only Tencent's EC2-style endpoint may come before it. */
	bool ok = false, ec2 = false;
	for (size_t i = 0; i < items.n; i++) {
		if (strcmp(items.v[i], CB_CONFIGDRIVE) == 0) {
			ok = true;
			break;
		}
		if (strcmp(items.v[i], CB_EC2) != 0)
			break;
	}
	for (size_t i = 0; i < items.n; i++)
		ec2 = ec2 || strcmp(items.v[i], CB_EC2) == 0;
	if (!ok) {
		char *w = where(a), *first = shown(items.n ? items.v[0] : "nothing");
		if (a)
			strvec_pushf(problems, "%smetadata_services %s %s; Tencent's setting is %s (the config drive)", w,
				     items.n ? "starts with" : "lists", first, CB_CONFIGDRIVE);
		else
			strvec_pushf(problems, "metadata_services is not set, so cloudbase-init tries %s first; Tencent's "
					       "setting is %s (the config drive)",
				     CB_HTTP, CB_CONFIGDRIVE);
		free(w);
		free(first);
		op_add(ops, OP_SET, "metadata_services")->value = xasprintf("%s%s", CB_CONFIGDRIVE, ec2 ? "," CB_EC2 : "");
	}
	strvec_clear(&items);
}

/*
 * The config drive. Current cloudbase-init searches config_drive_types on config_drive_locations,
 * and each legacy switch adds to those (cdrom: ISO on CD-ROM; raw_hhd: ISO on raw disks; vfat:
 * VFAT on disks); older releases know only the switches. So every switch must be on: they are
 * on unless set false, and on they cover everything Tencent's settings ask for.
 */
static void want_config_drive(const struct oslo_view *v, struct cb_ops *ops, struct strvec *problems,
			      struct strvec *ev)
{
	static const char *const flags[] = { "config_drive_cdrom", "config_drive_raw_hhd", "config_drive_vfat" };
	struct strbuf sb = STRBUF_INIT;
	bool cdrom = true;
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		const struct oslo_assign *a = view_get(v, flags[i]);
		if (!a)
			continue;
		note_setting(ev, a, flags[i], "true");
		if (parse_bool(a->value) == 1)
			continue;
		char *s = shown(a->value);
		strbuf_addf(&sb, "%s%s = %s (line %zu)", sb.len ? ", " : "", flags[i], s, a->first + 1);
		free(s);
		cdrom = cdrom && i != 0;
		op_add(ops, OP_SET, flags[i])->value = xstrdup("true");
	}
	const char *const lists[] = { "config_drive_types", "config_drive_locations" };
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
		const struct oslo_assign *a = view_get(v, lists[i]);
		if (a)
			note_setting(ev, a, lists[i], "");
	}
	if (sb.len)
		strvec_pushf(problems,
			     "cloudbase-init does not look for the config drive everywhere Tencent's settings say (ISO on "
			     "CD-ROM and raw disk, VFAT)%s: %s",
			     cdrom ? "" : "; older releases then never look on the CD-ROM, where CVM attaches it",
			     strbuf_str(&sb));
	strbuf_release(&sb);
}

static void want_list_has(const struct oslo_view *v, struct cb_ops *ops, struct strvec *problems, struct strvec *ev,
			  const char *key)
{
	const struct oslo_assign *a = view_get(v, key);
	bool plugins = strcmp(key, "plugins") == 0;
	note_setting(ev, a, key, plugins ? "a list with every plugin Tencent's settings name" : "Administrators");
	if (!a)
		return; /* the default list has them all */
	struct strvec items = STRVEC_INIT, missing = STRVEC_INIT;
	split_list(a->value, &items);
	if (plugins) {
		for (size_t k = 0; k < ARRAY_SIZE(cb_plugins); k++) {
			bool found = false;
			for (size_t i = 0; i < items.n && !found; i++)
				found = strcmp(class_of(items.v[i]), cb_plugins[k][0]) == 0;
			if (!found)
				strvec_push(&missing, cb_plugins[k][1]);
		}
	} else if (!list_has_ci(&items, "Administrators")) {
		strvec_push(&missing, "Administrators");
	}
	if (missing.n) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < missing.n; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", plugins ? class_of(missing.v[i]) : missing.v[i]);
		strvec_pushf(problems, "line %zu: %s lacks %s, which Tencent's settings have", a->first + 1, key,
			     strbuf_str(&sb));
		strbuf_release(&sb);
		struct cb_op *op = op_add(ops, OP_APPEND, key);
		op->items = missing;
		memset(&missing, 0, sizeof(missing));
	}
	strvec_clear(&items);
	strvec_clear(&missing);
}

/* What differs from Tencent's settings, as problems and as the edits that repair them. */
static void compare(const struct oslo_view *v, struct cb_ops *ops, struct strvec *problems, struct strvec *ev)
{
	want_metadata(v, ops, problems, ev);
	want_config_drive(v, ops, problems, ev);
	want_value(v, ops, problems, ev, "username", "Admin", "Administrator", true,
		   "the password from the console is set for Administrator");
	want_list_has(v, ops, problems, ev, "groups");
	want_bool(v, ops, problems, ev, "inject_user_password", true, true, "the console's password is used");
	want_value(v, ops, problems, ev, "first_logon_behaviour", "clear_text_injected_only", "no", false,
		   "no password change is forced at first logon");
	want_bool(v, ops, problems, ev, "netbios_host_name_compatibility", true, false,
		  "host names longer than 15 characters are kept");
	want_bool(v, ops, problems, ev, "allow_reboot", true, false, "no reboot during the first boot");
	want_list_has(v, ops, problems, ev, "plugins");
}

static bool binary_content(const char *data, size_t len, char **why)
{
	if (len >= 2 && ((unsigned char)data[0] == 0xff && (unsigned char)data[1] == 0xfe)) {
		*why = xstrdup("the file is UTF-16, which cloudbase-init cannot read; save it as UTF-8 without a byte "
			       "order mark");
		return true;
	}
	if (memchr(data, '\0', len)) {
		*why = xstrdup("the file holds NUL bytes, so it is not a text file cloudbase-init can read");
		return true;
	}
	return false;
}

void cb_eval(const char *data, size_t len, struct cb_eval *ev)
{
	memset(ev, 0, sizeof(*ev));
	char *why = NULL;
	if (binary_content(data, len, &why)) {
		strvec_push_nodup(&ev->problems, why);
		return;
	}
	struct ini_doc d;
	ini_doc_parse(data, len, &d);
	struct oslo_view v;
	view_build(&d, &v);
	ev->readable = v.nerrs == 0;
	for (size_t i = 0; i < v.nerrs; i++) {
		char *s = str_printable(d.v[v.errs[i].line].raw, 80);
		strvec_pushf(&ev->problems, "line %zu: %s (\"%s\"): oslo.config refuses the file and cloudbase-init does not "
					    "start",
			     v.errs[i].line + 1, v.errs[i].msg, s);
		free(s);
	}
	if (d.bom && v.nerrs)
		strvec_push(&ev->problems, "the file starts with a UTF-8 byte order mark, which cloudbase-init reads as part "
					   "of the first line");
	struct cb_ops ops = { 0 };
	compare(&v, &ops, &ev->problems, &ev->evidence);
	ops_free(&ops);
	view_free(&v);
	ini_doc_free(&d);
}

void cb_eval_free(struct cb_eval *ev)
{
	strvec_clear(&ev->problems);
	strvec_clear(&ev->evidence);
}

/* ---- the edit ---- */

static void insert_setting(struct ini_doc *d, const struct oslo_view *v, const char *key, const char *value)
{
	const char *sep = v->spaced > v->plain ? " = " : "=";
	char *line = xasprintf("%s%s%s", key, sep, value);
	if (v->default_header == INI_NONE) {
		ini_doc_insert(d, d->n, "[DEFAULT]");
		ini_doc_insert(d, d->n, line);
	} else {
		size_t after = v->default_last != INI_NONE ? v->default_last : v->default_header;
		ini_doc_insert(d, after + 1, line);
	}
	free(line);
}

static void apply_set(struct ini_doc *d, const char *key, const char *value)
{
	struct oslo_view v;
	view_build(d, &v);
	const struct oslo_assign *a = view_get(&v, key);
	if (!a) {
		insert_setting(d, &v, key, value);
		view_free(&v);
		return;
	}
	const char *raw = d->v[a->first].raw;
	size_t keep = a->sep <= strlen(raw) ? a->sep : strlen(raw);
	char *line = xasprintf("%.*s%s", (int)keep, raw, value);
	size_t first = a->first, last = a->last;
	view_free(&v);
	/* The new value replaces the key line and its continuation lines. */
	for (size_t i = last; i > first; i--)
		ini_doc_remove(d, i);
	ini_doc_replace(d, first, line);
	free(line);
}

static void apply_append(struct ini_doc *d, const char *key, const struct strvec *items)
{
	struct oslo_view v;
	view_build(d, &v);
	const struct oslo_assign *a = view_get(&v, key);
	if (!a) {
		view_free(&v);
		return;
	}
	size_t first = a->first, last = a->last;
	view_free(&v);
	char *tail = xstrdup(d->v[last].raw);
	rstrip(tail);
	bool comma = tail[0] && tail[strlen(tail) - 1] == ',';
	if (last == first) {
		/* One line: the items go at its end. */
		struct strbuf sb = STRBUF_INIT;
		strbuf_addstr(&sb, tail);
		for (size_t i = 0; i < items->n; i++)
			strbuf_addf(&sb, "%s%s", i == 0 && comma ? "" : ",", items->v[i]);
		ini_doc_replace(d, first, strbuf_str(&sb));
		strbuf_release(&sb);
	} else {
		/* Continuation lines: one more line per item, indented like the last one. */
		const char *raw = d->v[last].raw;
		size_t ind = 0;
		while (raw[ind] == ' ' || raw[ind] == '\t')
			ind++;
		char *indent = xstrndup(raw, ind);
		if (!comma) {
			char *l = xasprintf("%s,", tail);
			ini_doc_replace(d, last, l);
			free(l);
		}
		for (size_t i = 0; i < items->n; i++) {
			char *l = xasprintf("%s%s%s", indent, items->v[i], i + 1 < items->n ? "," : "");
			ini_doc_insert(d, last + 1 + i, l);
			free(l);
		}
		free(indent);
	}
	free(tail);
}

int cb_fix(const char *data, size_t len, const char *eol, char **out, size_t *out_len, char **why)
{
	*out = NULL;
	*why = NULL;
	if (data && binary_content(data, len, why))
		return -EINVAL;
	struct ini_doc d;
	ini_doc_parse(data ? data : "", data ? len : 0, &d);
	if (!data || d.n == 0) {
		free(d.eol);
		d.eol = xstrdup(eol ? eol : "\n");
	}
	/* The byte order mark goes first: without it the first line may be fine. */
	ini_doc_set_bom(&d, false);
	struct oslo_view v;
	view_build(&d, &v);
	for (size_t i = 0; i < v.nerrs; i++) {
		char *l = xasprintf("#%s", d.v[v.errs[i].line].raw);
		ini_doc_replace(&d, v.errs[i].line, l);
		free(l);
	}
	view_free(&v);
	view_build(&d, &v);
	struct cb_ops ops = { 0 };
	struct strvec problems = STRVEC_INIT, evidence = STRVEC_INIT;
	compare(&v, &ops, &problems, &evidence);
	strvec_clear(&problems);
	strvec_clear(&evidence);
	view_free(&v);
	for (size_t i = 0; i < ops.n; i++) {
		if (ops.v[i].kind == OP_SET)
			apply_set(&d, ops.v[i].key, ops.v[i].value);
		else
			apply_append(&d, ops.v[i].key, &ops.v[i].items);
	}
	ops_free(&ops);
	*out = ini_doc_write(&d, out_len);
	ini_doc_free(&d);
	return 0;
}

/* ---- service command lines ---- */

void cb_split_cmdline(const char *cmdline, struct strvec *argv)
{
	const char *p = cmdline;
	while (*p == ' ' || *p == '\t')
		p++;
	/* The program name: quoted or up to the first blank, backslashes taken as they are. */
	if (*p) {
		const char *s = p, *e;
		if (*p == '"') {
			s = ++p;
			e = strchr(p, '"');
			if (!e)
				e = p + strlen(p);
			p = *e ? e + 1 : e;
		} else {
			e = p + strcspn(p, " \t");
			p = e;
		}
		strvec_push_nodup(argv, xstrndup(s, (size_t)(e - s)));
	}
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		struct strbuf sb = STRBUF_INIT;
		bool quoted = false;
		while (*p) {
			size_t bs = 0;
			while (p[bs] == '\\')
				bs++;
			if (p[bs] == '"') {
				/* 2n backslashes and a quote: n backslashes, the quote toggles; 2n+1: a literal quote. */
				for (size_t k = 0; k < bs / 2; k++)
					strbuf_addch(&sb, '\\');
				if (bs % 2) {
					strbuf_addch(&sb, '"');
				} else if (quoted && p[bs + 1] == '"') {
					strbuf_addch(&sb, '"');
					p++;
				} else {
					quoted = !quoted;
				}
				p += bs + 1;
				continue;
			}
			for (size_t k = 0; k < bs; k++)
				strbuf_addch(&sb, '\\');
			p += bs;
			if (!*p || (!quoted && (*p == ' ' || *p == '\t')))
				break;
			strbuf_addch(&sb, *p++);
		}
		strvec_push_nodup(argv, strbuf_detach(&sb));
	}
}

char *cb_config_from_cmdline(const char *cmdline)
{
	struct strvec argv = STRVEC_INIT;
	cb_split_cmdline(cmdline, &argv);
	char *found = NULL;
	for (size_t i = 1; i < argv.n; i++) {
		const char *val = NULL;
		if (strcmp(argv.v[i], "--config-file") == 0 && i + 1 < argv.n)
			val = argv.v[++i];
		else if (str_starts_with(argv.v[i], "--config-file="))
			val = argv.v[i] + strlen("--config-file=");
		if (val && *val) {
			free(found);
			found = xstrdup(val);
		}
	}
	strvec_clear(&argv);
	return found;
}
