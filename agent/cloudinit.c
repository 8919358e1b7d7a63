/*
 * cloud-init's merged configuration, ds-identify's line-by-line reading of the same files, and
 * the prediction of the first boot on CVM (see cloudinit.h). Portable: no YAML parsing here.
 */
#include "cloudinit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

#define CMDLINE_ORIGIN "kernel command line"

/*
 * The built-in lists, used when nothing sets one: cloud-init's (settings.py) and ds-identify's
 * (DI_DSLIST_DEFAULT), by the version that last changed them. None is single-entry and all
 * name ConfigDrive; the names matter for evidence only.
 */
struct default_list {
	int major, minor; /* from this version on */
	const char *names;
};

static const struct default_list builtin_dslists[] = {
	{ 25, 1, "NoCloud ConfigDrive LXD OpenNebula DigitalOcean Azure AltCloud VMware OVF MAAS GCE OpenStack AliYun "
		 "Vultr Ec2 CloudSigma CloudStack SmartOS Bigstep Scaleway Hetzner IBMCloud Oracle Exoscale RbxCloud "
		 "UpCloud NWCS Akamai WSL CloudCIX None" },
	{ 24, 4, "NoCloud ConfigDrive LXD OpenNebula DigitalOcean Azure AltCloud OVF MAAS GCE OpenStack AliYun Vultr Ec2 "
		 "CloudSigma CloudStack SmartOS Bigstep Scaleway Hetzner IBMCloud Oracle Exoscale RbxCloud UpCloud "
		 "VMware NWCS Akamai WSL CloudCIX None" },
	{ 24, 1, "NoCloud ConfigDrive LXD OpenNebula DigitalOcean Azure AltCloud OVF MAAS GCE OpenStack AliYun Vultr Ec2 "
		 "CloudSigma CloudStack SmartOS Bigstep Scaleway Hetzner IBMCloud Oracle Exoscale RbxCloud UpCloud "
		 "VMware NWCS Akamai WSL None" },
	{ 23, 3, "NoCloud ConfigDrive LXD OpenNebula DigitalOcean Azure AltCloud OVF MAAS GCE OpenStack AliYun Vultr Ec2 "
		 "CloudSigma CloudStack SmartOS Bigstep Scaleway Hetzner IBMCloud Oracle Exoscale RbxCloud UpCloud "
		 "VMware NWCS Akamai None" },
	{ 0, 0, "NoCloud ConfigDrive LXD OpenNebula DigitalOcean Azure AltCloud OVF MAAS GCE OpenStack AliYun Vultr Ec2 "
		"CloudSigma CloudStack SmartOS Bigstep Scaleway Hetzner IBMCloud Oracle Exoscale RbxCloud UpCloud "
		"VMware NWCS None" },
};

static const struct default_list dsi_default_dslists[] = {
	{ 25, 1, "MAAS ConfigDrive NoCloud AltCloud Azure Bigstep CloudSigma CloudStack DigitalOcean Vultr AliYun Ec2 GCE "
		 "OpenNebula OpenStack VMware OVF SmartOS Scaleway Hetzner IBMCloud Oracle Exoscale RbxCloud UpCloud LXD "
		 "NWCS Akamai WSL CloudCIX" },
	{ 24, 4, "MAAS ConfigDrive NoCloud AltCloud Azure Bigstep CloudSigma CloudStack DigitalOcean Vultr AliYun Ec2 GCE "
		 "OpenNebula OpenStack OVF SmartOS Scaleway Hetzner IBMCloud Oracle Exoscale RbxCloud UpCloud VMware LXD "
		 "NWCS Akamai WSL CloudCIX" },
	{ 24, 1, "MAAS ConfigDrive NoCloud AltCloud Azure Bigstep CloudSigma CloudStack DigitalOcean Vultr AliYun Ec2 GCE "
		 "OpenNebula OpenStack OVF SmartOS Scaleway Hetzner IBMCloud Oracle Exoscale RbxCloud UpCloud VMware LXD "
		 "NWCS Akamai WSL" },
	{ 23, 3, "MAAS ConfigDrive NoCloud AltCloud Azure Bigstep CloudSigma CloudStack DigitalOcean Vultr AliYun Ec2 GCE "
		 "OpenNebula OpenStack OVF SmartOS Scaleway Hetzner IBMCloud Oracle Exoscale RbxCloud UpCloud VMware LXD "
		 "NWCS Akamai" },
	{ 0, 0, "MAAS ConfigDrive NoCloud AltCloud Azure Bigstep CloudSigma CloudStack DigitalOcean Vultr AliYun Ec2 GCE "
		"OpenNebula OpenStack OVF SmartOS Scaleway Hetzner IBMCloud Oracle Exoscale RbxCloud UpCloud VMware LXD "
		"NWCS" },
};

/* ---- versions ---- */

static int parse_num(const char **sp)
{
	const char *s = *sp;
	long v = 0;
	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (*s - '0');
		if (v > 100000)
			v = 100000; /* saturate: no real version comes near */
		s++;
	}
	*sp = s;
	return (int)v;
}

bool ci_version_parse(const char *s, struct ci_version *v)
{
	memset(v, 0, sizeof(*v));
	if (!s)
		return false;
	/* a Debian epoch ("1:22.4-1") is not part of the upstream version */
	const char *colon = strchr(s, ':');
	if (colon && colon - s < 4) {
		bool digits = colon > s;
		for (const char *p = s; p < colon; p++)
			digits = digits && *p >= '0' && *p <= '9';
		if (digits)
			s = colon + 1;
	}
	int major = parse_num(&s);
	if (major < 0 || *s != '.')
		return false;
	s++;
	int minor = parse_num(&s);
	if (minor < 0)
		return false;
	int patch = 0;
	if (*s == '.') {
		s++;
		patch = parse_num(&s);
		if (patch < 0)
			patch = 0;
	}
	v->major = major;
	v->minor = minor;
	v->patch = patch;
	return true;
}

static bool version_known(const struct ci_version *v)
{
	return v->major || v->minor || v->patch;
}

/* v >= major.minor.patch; an unknown version counts as the newest. */
static bool version_ge(const struct ci_version *v, int major, int minor, int patch)
{
	if (!version_known(v))
		return true;
	if (v->major != major)
		return v->major > major;
	if (v->minor != minor)
		return v->minor > minor;
	return v->patch >= patch;
}

/* The list of the newest entry not newer than v (an unknown version takes the newest). */
static void push_default(struct strvec *out, const struct default_list *t, size_t n, const struct ci_version *v)
{
	size_t k = 0;
	while (k + 1 < n && !version_ge(v, t[k].major, t[k].minor, 0))
		k++;
	str_split(out, t[k].names, " ");
}

/* ---- configuration ---- */

void ci_config_init(struct ci_config *c)
{
	memset(c, 0, sizeof(*c));
}

static void file_free(struct ci_file *f)
{
	free(f->path);
	free(f->data);
	ydoc_free(&f->doc);
	free(f->error);
	memset(f, 0, sizeof(*f));
}

void ci_config_free(struct ci_config *c)
{
	for (size_t i = 0; i < c->n; i++)
		file_free(&c->files[i]);
	free(c->files);
	file_free(&c->cc);
	free(c->cmdline);
	free(c->dsi_path);
	free(c->dsi_data);
	memset(c, 0, sizeof(*c));
}

/* Fill f from a load result: usable when the document is a mapping PyYAML would construct. */
static void file_fill(struct ci_file *f, const char *path, const char *data, size_t len, struct ydoc *doc,
		      const struct yerr *err)
{
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->data = xmalloc(len + 1);
	if (len)
		memcpy(f->data, data, len);
	f->data[len] = '\0';
	f->len = len;
	if (err && err->msg) {
		f->error = xstrdup(err->msg);
		f->error_line = err->line;
		f->too_big = err->limit;
		if (doc)
			ydoc_free(doc);
		return;
	}
	if (doc)
		ydoc_move(&f->doc, doc);
	const struct ynode *root = ydoc_node(&f->doc, f->doc.root);
	if (!root || ynode_is_null(root)) {
		/* an empty file (or only comments): cloud-init reads it as {} */
		f->usable = false;
		return;
	}
	if (root->kind != YNODE_MAP) {
		f->error = xstrdup("the document is not a mapping");
		f->error_line = root->line;
		return;
	}
	struct yerr e2;
	if (ydoc_check_safe_load(&f->doc, &e2) < 0) {
		f->error = e2.msg;
		f->error_line = e2.line;
		return;
	}
	size_t k = 0;
	if (ymap_lookup(&f->doc, f->doc.root, "merge_how", &k, NULL) == 1 ||
	    ymap_lookup(&f->doc, f->doc.root, "merge_type", &k, NULL) == 1)
		f->merge_how_line = ydoc_node(&f->doc, k)->line;
	f->usable = true;
}

void ci_config_add_loaded(struct ci_config *c, const char *path, const char *data, size_t len, struct ydoc *doc,
			  const struct yerr *err)
{
	if (c->n == c->alloc) {
		c->alloc = c->alloc ? c->alloc * 2 : 8;
		c->files = xreallocarray(c->files, c->alloc, sizeof(*c->files));
	}
	file_fill(&c->files[c->n++], path, data ? data : "", data ? len : 0, doc, err);
}

void ci_config_set_cmdline_loaded(struct ci_config *c, const char *cmdline, struct ydoc *cc_doc,
				  const struct yerr *cc_err)
{
	free(c->cmdline);
	c->cmdline = cmdline ? xstrdup(cmdline) : NULL;
	file_free(&c->cc);
	c->has_cc = false;
	char *cc = cmdline ? ci_cmdline_cc(cmdline) : NULL;
	if (cc) {
		file_fill(&c->cc, CMDLINE_ORIGIN, cc, strlen(cc), cc_doc, cc_err);
		c->has_cc = true;
	} else if (cc_doc) {
		ydoc_free(cc_doc);
	}
	free(cc);
}

void ci_config_set_dsidentify(struct ci_config *c, const char *path, const char *data, size_t len)
{
	free(c->dsi_path);
	free(c->dsi_data);
	c->dsi_path = xstrdup(path);
	c->dsi_data = xmalloc(len + 1);
	if (len)
		memcpy(c->dsi_data, data, len);
	c->dsi_data[len] = '\0';
	c->dsi_len = len;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static bool py_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* cloud-init's read_cc_from_cmdline: "cc:" up to "end_cc", lstripped, unquoted, "\n" made newlines. */
char *ci_cmdline_cc(const char *cmdline)
{
	struct strbuf out = STRBUF_INIT;
	bool any = false;
	const char *p = strstr(cmdline, "cc:");
	while (p) {
		const char *body = p + 3;
		const char *end = strstr(body, "end_cc");
		const char *stop = end ? end : body + strlen(body);
		while (body < stop && py_space(*body))
			body++;
		if (any)
			strbuf_addch(&out, '\n');
		any = true;
		for (const char *s = body; s < stop; s++) {
			if (*s == '%' && s + 2 < stop && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
				strbuf_addch(&out, (char)(hexval(s[1]) * 16 + hexval(s[2])));
				s += 2;
			} else if (*s == '\\' && s + 1 < stop && s[1] == 'n') {
				strbuf_addch(&out, '\n');
				s++;
			} else {
				strbuf_addch(&out, *s);
			}
		}
		if (!end)
			break;
		p = strstr(end + 6, "cc:");
	}
	if (!any)
		return NULL;
	return strbuf_detach(&out);
}

bool ci_confd_wanted(const char *name)
{
	return name && str_ends_with(name, ".cfg");
}

static const struct ci_file *main_cfg(const struct ci_config *c)
{
	if (c->n && (str_ends_with(c->files[0].path, "/cloud.cfg") || strcmp(c->files[0].path, "cloud.cfg") == 0))
		return &c->files[0];
	return NULL;
}

/* Python truthiness of a node: what "if confd:" sees. */
static bool py_truthy(const struct ynode *n)
{
	if (!n)
		return false;
	if (n->kind != YNODE_SCALAR)
		return n->n > 0;
	switch (ynode_scalar_type(n)) {
	case YS_NULL:
		return false;
	case YS_BOOL:
		return ynode_bool11(n) == 1;
	case YS_INT:
	case YS_FLOAT: {
		for (const char *s = n->str; *s; s++)
			if (*s >= '1' && *s <= '9')
				return true;
		return false;
	}
	case YS_STR:
		return n->len > 0;
	default:
		return true;
	}
}

char *ci_conf_d(const struct ci_config *c)
{
	const struct ci_file *f = main_cfg(c);
	if (f && f->usable) {
		size_t k, v;
		if (ymap_lookup(&f->doc, f->doc.root, "conf_d", &k, &v) == 1) {
			const struct ynode *n = ydoc_node(&f->doc, v);
			if (!py_truthy(n) || n->kind != YNODE_SCALAR || ynode_scalar_type(n) != YS_STR)
				return NULL;
			char *d = xstrdup(n->str);
			char *t = str_trim(d);
			char *r = xstrdup(t);
			free(d);
			return r;
		}
	}
	if (f)
		return xasprintf("%s.d", f->path);
	return xstrdup("/etc/cloud/cloud.cfg.d");
}

/* ---- the merged view ---- */

struct cand {
	const struct ci_file *f;
	size_t key, val;
};

struct cands {
	struct cand *v;
	size_t n, alloc;
};

static void cands_push(struct cands *cs, const struct ci_file *f, size_t key, size_t val)
{
	if (cs->n == cs->alloc) {
		cs->alloc = cs->alloc ? cs->alloc * 2 : 8;
		cs->v = xreallocarray(cs->v, cs->alloc, sizeof(*cs->v));
	}
	cs->v[cs->n].f = f;
	cs->v[cs->n].key = key;
	cs->v[cs->n].val = val;
	cs->n++;
}

static const struct ynode *cand_node(const struct cand *c)
{
	return ydoc_node(&c->f->doc, c->val);
}

/*
 * cloud-init's mergemanydict over candidates in priority order (highest first), with its default
 * mergers: the first value wins, except that mappings merge key by key, and a mapping further down
 * replaces a list or a string above it (the list and string mergers return what they are handed
 * unless told to append). The result is a leaf (returned in *leaf) or the list of mappings that
 * merge (kept in cs, in order).
 */
static bool fold(struct cands *cs, struct cand *leaf)
{
	struct cands maps = { NULL, 0, 0 };
	bool have_leaf = false;
	for (size_t i = 0; i < cs->n; i++) {
		const struct ynode *n = cand_node(&cs->v[i]);
		bool is_map = n && n->kind == YNODE_MAP;
		if (have_leaf) {
			const struct ynode *l = cand_node(leaf);
			bool replaced = l && (l->kind == YNODE_SEQ ||
					      (l->kind == YNODE_SCALAR && ynode_scalar_type(l) == YS_STR));
			if (is_map && replaced) {
				have_leaf = false;
				cands_push(&maps, cs->v[i].f, cs->v[i].key, cs->v[i].val);
			}
		} else if (maps.n) {
			if (is_map)
				cands_push(&maps, cs->v[i].f, cs->v[i].key, cs->v[i].val);
		} else if (is_map) {
			cands_push(&maps, cs->v[i].f, cs->v[i].key, cs->v[i].val);
		} else {
			*leaf = cs->v[i];
			have_leaf = true;
		}
	}
	free(cs->v);
	*cs = maps;
	return have_leaf;
}

int ci_lookup(const struct ci_config *c, const char *const *path, struct ci_found *out)
{
	struct cands cs = { NULL, 0, 0 };
	int ret = 0;
	memset(out, 0, sizeof(*out));
	if (c->has_cc && c->cc.usable)
		cands_push(&cs, &c->cc, 0, c->cc.doc.root);
	for (size_t i = c->n; i-- > 0;)
		if (c->files[i].usable)
			cands_push(&cs, &c->files[i], 0, c->files[i].doc.root);
	for (; *path; path++) {
		struct cand leaf;
		if (fold(&cs, &leaf) || !cs.n)
			goto out; /* a level above is not a mapping */
		struct cands next = { NULL, 0, 0 };
		for (size_t i = 0; i < cs.n; i++) {
			size_t k, v;
			int r = ymap_lookup(&cs.v[i].f->doc, cs.v[i].val, *path, &k, &v);
			if (r < 0) {
				free(next.v);
				out->file = cs.v[i].f;
				ret = r;
				goto out;
			}
			if (r == 1)
				cands_push(&next, cs.v[i].f, k, v);
		}
		free(cs.v);
		cs = next;
	}
	if (cs.n) {
		struct cand leaf;
		struct cand got = fold(&cs, &leaf) ? leaf : cs.v[0];
		out->file = got.f;
		out->key = got.key;
		out->value = got.val;
		const struct ynode *k = ydoc_node(&got.f->doc, got.key);
		out->line = k ? k->line : 0;
		ret = 1;
	}
out:
	free(cs.v);
	return ret;
}

/* ---- evaluation ---- */

static void origin_set(struct ci_origin *o, const char *file, unsigned line)
{
	free(o->file);
	o->file = file ? xstrdup(file) : NULL;
	o->line = line;
}

static void dslist_free(struct ci_dslist *l)
{
	strvec_clear(&l->names);
	free(l->at.file);
	free(l->problem);
	memset(l, 0, sizeof(*l));
}

static void setting_free(struct ci_setting *s)
{
	free(s->value);
	strvec_clear(&s->list);
	free(s->at.file);
	memset(s, 0, sizeof(*s));
}

void ci_eval_free(struct ci_eval *e)
{
	dslist_free(&e->dslist);
	dslist_free(&e->dsi_dslist);
	setting_free(&e->configdrive_dsmode);
	setting_free(&e->tencent_metadata_urls);
	setting_free(&e->network_config);
	setting_free(&e->renderers);
	free(e->cmdline_ds);
	free(e->dsi_dsname);
	free(e->dsi_dsname_at.file);
	free(e->policy.text);
	free(e->policy.at.file);
	strvec_clear(&e->notes);
	memset(e, 0, sizeof(*e));
}

static char *printable(const char *s)
{
	return str_printable(s ? s : "", 200);
}

static void note(struct ci_eval *e, const char *file, unsigned line, const char *fmt, ...) ATTR_PRINTF(4, 5);
static void note(struct ci_eval *e, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (line)
		strvec_pushf(&e->notes, "%s:%u: %s", file, line, msg);
	else
		strvec_pushf(&e->notes, "%s: %s", file, msg);
	free(msg);
}

static void dslist_from_node(struct ci_dslist *l, const struct ci_found *f)
{
	const struct ydoc *d = &f->file->doc;
	const struct ynode *n = ydoc_node(d, f->value);
	origin_set(&l->at, f->file->path, f->line);
	if (!n)
		return;
	if (n->kind == YNODE_SEQ) {
		for (size_t i = 0; i < n->n; i++) {
			const struct ynode *it = ydoc_node(d, n->kids[i]);
			if (it && it->kind == YNODE_SCALAR && ynode_scalar_type(it) == YS_STR) {
				strvec_push(&l->names, it->str);
			} else if (!l->problem) {
				char *p = it && it->kind == YNODE_SCALAR ? printable(it->str) : xstrdup("a list or mapping");
				l->problem = xasprintf("entry '%s' (line %u) is not a datasource name: cloud-init fails on it",
						       p, it ? it->line : 0);
				free(p);
			}
		}
		if (!n->n)
			l->problem = xstrdup("an empty list: cloud-init tries no datasource");
	} else if (n->kind == YNODE_MAP) {
		struct ypair *pairs = NULL;
		size_t np = 0;
		if (ymap_pairs(d, f->value, &pairs, &np) == 0)
			for (size_t i = 0; i < np; i++)
				strvec_push(&l->names, ydoc_node(d, pairs[i].key)->str);
		free(pairs);
		l->problem = xstrdup("a mapping, not a list: cloud-init takes its keys as the datasource names");
	} else if (ynode_scalar_type(n) == YS_STR && n->len) {
		struct strvec parts = STRVEC_INIT;
		str_split(&parts, n->str, ", \t");
		for (size_t i = 0; i < parts.n; i++)
			strvec_push(&l->names, parts.v[i]);
		strvec_clear(&parts);
		l->from_string = true;
		l->problem = xstrdup("a string, not a list: cloud-init itself reads it character by character "
				     "(only ds-identify splits it at commas)");
	} else {
		char *p = printable(n->str);
		l->problem = xasprintf("'%s' is not a list: cloud-init tries no datasource", p);
		free(p);
	}
}

static void note_too_deep(struct ci_eval *e, const struct ci_found *f, const char *const *path)
{
	struct strbuf what = STRBUF_INIT;
	for (; *path; path++) {
		if (what.len)
			strbuf_addch(&what, '.');
		strbuf_addstr(&what, *path);
	}
	note(e, f->file ? f->file->path : "cloud-init configuration", 0,
	     "merge keys (<<) too deep to follow for '%s' (PyYAML would take exponential time): left out",
	     strbuf_str(&what));
	strbuf_release(&what);
}

/* A setting that is a scalar or a list of scalars. */
static int setting_from(const struct ci_config *c, const char *const *path, struct ci_setting *s, struct ci_eval *e)
{
	struct ci_found f;
	int r = ci_lookup(c, path, &f);
	if (r < 0) {
		note_too_deep(e, &f, path);
		return -E2BIG;
	}
	if (r == 0)
		return 0;
	const struct ynode *n = ydoc_node(&f.file->doc, f.value);
	s->set = true;
	origin_set(&s->at, f.file->path, f.line);
	if (!n)
		return 0;
	if (n->kind == YNODE_SCALAR) {
		s->value = ynode_is_null(n) ? NULL : xstrdup(n->str);
		return 0;
	}
	if (n->kind == YNODE_SEQ) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < n->n; i++) {
			const struct ynode *it = ydoc_node(&f.file->doc, n->kids[i]);
			if (!it || it->kind != YNODE_SCALAR)
				continue;
			strvec_push(&s->list, it->str);
			if (sb.len)
				strbuf_addstr(&sb, ", ");
			strbuf_addstr(&sb, it->str);
		}
		s->value = strbuf_detach(&sb);
	}
	return 0;
}

/* ---- shell emulation for ds-identify ---- */

static bool sh_ifs(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n';
}

/*
 * ds-identify's trim. Before 24.2 "set -- $*; _RET=$*": words joined by one space. Since then
 * the string with [[:space:]] (carriage returns too) stripped from both ends only.
 */
static char *sh_trim(const char *s, bool new_trim)
{
	if (new_trim) {
		while (*s && strchr(" \t\n\r\v\f", *s))
			s++;
		size_t n = strlen(s);
		while (n && strchr(" \t\n\r\v\f", s[n - 1]))
			n--;
		return xstrndup(s, n);
	}
	struct strbuf sb = STRBUF_INIT;
	while (*s) {
		while (*s && sh_ifs(*s))
			s++;
		if (!*s)
			break;
		if (sb.len)
			strbuf_addch(&sb, ' ');
		while (*s && !sh_ifs(*s))
			strbuf_addch(&sb, *s++);
	}
	return strbuf_detach(&sb);
}

/* ds-identify's unquote: strip one pair of surrounding double or single quotes. */
static char *sh_unquote(const char *s)
{
	size_t n = strlen(s);
	if (n >= 2 && ((s[0] == '"' && s[n - 1] == '"') || (s[0] == '\'' && s[n - 1] == '\'')))
		return xstrndup(s + 1, n - 2);
	return xstrdup(s);
}

/* ds-identify's parse_yaml_array: strip "[" and "]", split at commas, trim and unquote each. */
static char *parse_yaml_array(const char *val, bool new_trim)
{
	const char *s = val;
	size_t n = strlen(s);
	if (*s == '[') {
		s++;
		n--;
	}
	if (n && s[n - 1] == ']')
		n--;
	char *body = xstrndup(s, n);
	struct strbuf ret = STRBUF_INIT;
	/* field splitting on a non-whitespace IFS: every comma ends a field, a final empty one is dropped */
	const char *p = body;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char *tok = xstrndup(p, len);
		char *t = sh_trim(tok, new_trim);
		char *u = sh_unquote(t);
		strbuf_addch(&ret, ' ');
		strbuf_addstr(&ret, u);
		free(u);
		free(t);
		free(tok);
		if (!comma)
			break;
		p = comma + 1;
	}
	free(body);
	char *r = xstrdup(ret.len ? ret.buf + 1 : "");
	strbuf_release(&ret);
	return r;
}

/*
 * One line as "while read line" hands it over (no -r): a backslash escapes the next character
 * and joins lines, surrounding blanks are stripped, and a last line without a newline is never
 * seen. Returns false at the end; *lineno is the physical line the logical line started on.
 */
struct sh_reader {
	const char *p, *end;
	unsigned lineno;
};

static bool sh_read(struct sh_reader *r, struct strbuf *line, unsigned *lineno)
{
	strbuf_reset(line);
	if (r->p >= r->end)
		return false;
	*lineno = r->lineno + 1;
	while (r->p < r->end) {
		char ch = *r->p++;
		if (ch == '\n') {
			r->lineno++;
			char *t = xstrdup(strbuf_str(line));
			/* strip surrounding IFS whitespace (space, tab) */
			char *a = t;
			while (*a == ' ' || *a == '\t')
				a++;
			size_t n = strlen(a);
			while (n && (a[n - 1] == ' ' || a[n - 1] == '\t'))
				n--;
			strbuf_reset(line);
			strbuf_add(line, a, n);
			free(t);
			return true;
		}
		if (ch == '\\' && r->p < r->end) {
			char next = *r->p++;
			if (next == '\n')
				r->lineno++;
			else if (next)
				strbuf_addch(line, next);
			continue;
		}
		if (ch)
			strbuf_addch(line, ch);
	}
	/* EOF before a newline: read fails and the loop body never sees this text */
	return false;
}

static const char *basename_of(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* Whether ds-identify's glob (cloud.cfg, then the drop-ins named *.cfg, dotfiles excluded) includes f. */
static bool dsi_reads(const struct ci_file *f, size_t index)
{
	if (index == 0 && (str_ends_with(f->path, "/cloud.cfg") || strcmp(f->path, "cloud.cfg") == 0))
		return true;
	const char *b = basename_of(f->path);
	return b[0] != '.' && str_ends_with(b, ".cfg");
}

struct dsi_hit {
	char *ret; /* _RET as check_config leaves it */
	const char *file;
	unsigned line;
};

/* ds-identify before 24.2 (except 23.4.0/23.4.1): "while read line", "datasource_list: " at the start. */
static void dsi_scan_readloop(const struct ci_config *c, struct dsi_hit *hit)
{
	struct strbuf line = STRBUF_INIT;
	for (size_t i = 0; i < c->n; i++) {
		const struct ci_file *f = &c->files[i];
		if (!dsi_reads(f, i))
			continue;
		struct sh_reader r = { f->data, f->data + f->len, 0 };
		unsigned ln;
		while (sh_read(&r, &line, &ln)) {
			char *hash = strchr(line.buf ? line.buf : "", '#');
			if (hash)
				*hash = '\0';
			const char *l = strbuf_str(&line);
			if (str_starts_with(l, "datasource_list: ") || strcmp(l, "datasource_list:") == 0) {
				const char *v = strchr(l, ':') + 1;
				if (*v == ' ')
					v++;
				free(hit->ret);
				hit->ret = xstrdup(v);
				hit->file = f->path;
				hit->line = ln;
			}
		}
	}
	strbuf_release(&line);
}

/* grep "datasource_list[\"']*[[:space:]]*:" (24.2 and later), or "datasource_list\"\?:" (23.4.0, 23.4.1). */
static bool grep_matches(const char *l, bool old)
{
	for (const char *p = strstr(l, "datasource_list"); p; p = strstr(p + 1, "datasource_list")) {
		const char *q = p + strlen("datasource_list");
		if (old) {
			if (*q == '"')
				q++;
		} else {
			while (*q == '"' || *q == '\'')
				q++;
			while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\v' || *q == '\f')
				q++;
		}
		if (*q == ':')
			return true;
	}
	return false;
}

static void dsi_scan_grep(const struct ci_config *c, bool old, struct dsi_hit *hit)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct ci_file *f = &c->files[i];
		if (!dsi_reads(f, i) || memchr(f->data, '\0', f->len))
			continue; /* grep reports a binary file, not its lines */
		const char *p = f->data, *end = f->data + f->len;
		unsigned ln = 0;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *stop = nl ? nl : end;
			ln++;
			char *l = xstrndup(p, (size_t)(stop - p));
			p = nl ? nl + 1 : end;
			if (!grep_matches(l, old)) {
				free(l);
				continue;
			}
			/* "path:line" with the comment cut off first, then the "path:" prefix */
			char *full = xasprintf("%s:%s", f->path, l);
			free(l);
			char *hash = strchr(full, '#');
			if (hash)
				*hash = '\0';
			/* found_fn="${line%%:*}", then the line without "$found_fn:" */
			size_t fl = strcspn(full, ":");
			const char *rest = full[fl] ? full + fl + 1 : full + fl;
			if (!old && !*rest) {
				free(full);
				continue;
			}
			const char *colsp = strstr(rest, ": ");
			free(hit->ret);
			hit->ret = xstrdup(colsp ? colsp + 2 : rest);
			hit->file = f->path;
			hit->line = ln;
			free(full);
		}
	}
}

static void names_from_words(struct strvec *out, const char *s)
{
	str_split(out, s, " \t\n");
}

static void dsi_read_dslist(const struct ci_config *c, struct ci_eval *e)
{
	struct ci_dslist *l = &e->dsi_dslist;
	const struct ci_version *v = &c->version;
	bool new_trim = version_ge(v, 24, 2, 0);
	char *dslist = NULL;
	/* LP: #1582323: "cc:" on the command line with a datasource_list overrides the files */
	const char *cmd = c->cmdline;
	if (cmd && strstr(cmd, "cc:")) {
		const char *last = NULL;
		for (const char *p = strstr(strstr(cmd, "cc:"), "datasource_list"); p; p = strstr(p + 1, "datasource_list"))
			last = p;
		if (last) {
			const char *t = last + strlen("datasource_list");
			size_t n = strcspn(t, "]");
			char *tt = xstrndup(t, n);
			char *ob = strrchr(tt, '[');
			dslist = parse_yaml_array(ob ? ob + 1 : tt, new_trim);
			free(tt);
			origin_set(&l->at, CMDLINE_ORIGIN, 0);
		}
	}
	if (!dslist || !*dslist) {
		free(dslist);
		dslist = NULL;
		struct dsi_hit hit = { NULL, NULL, 0 };
		bool grep_new = version_ge(v, 24, 2, 0);
		bool grep_old = !grep_new && v->major == 23 && v->minor == 4 && v->patch <= 1;
		if (grep_new || grep_old)
			dsi_scan_grep(c, grep_old, &hit);
		else
			dsi_scan_readloop(c, &hit);
		if (hit.ret) {
			const char *val = hit.ret;
			char *got = NULL;
			if (grep_new) {
				/* get_value: what follows the last ':', trimmed; empty means "not set" */
				const char *lc = strrchr(val, ':');
				got = sh_trim(lc ? lc + 1 : val, true);
				val = got;
			}
			if (*val)
				dslist = parse_yaml_array(val, new_trim);
			free(got);
			origin_set(&l->at, hit.file, hit.line);
			if (!dslist || !*dslist)
				note(e, hit.file, hit.line,
				     "ds-identify cannot read this datasource_list (it reads only a one-line list): "
				     "it searches its default list");
		}
		free(hit.ret);
	}
	if (dslist)
		names_from_words(&l->names, dslist);
	free(dslist);
	if (!l->names.n) {
		push_default(&l->names, dsi_default_dslists, ARRAY_SIZE(dsi_default_dslists), v);
		l->is_default = true;
		origin_set(&l->at, NULL, 0);
	}
}

/* ds-identify's policy string, over its default. */
static void parse_policy(struct ci_policy *p, const char *text, const struct ci_config *c)
{
	bool new_default = version_ge(&c->version, 25, 2, 0);
	p->mode = CI_MODE_SEARCH;
	p->found_first = false;
	p->maybe_all = !new_default;
	p->notfound_enabled = !new_default && c->no_dmi_arch;
	if (!text)
		return;
	struct strvec toks = STRVEC_INIT;
	str_split(&toks, text, ",");
	for (size_t i = 0; i < toks.n; i++) {
		const char *t = toks.v[i];
		if (strcmp(t, "enabled") == 0)
			p->mode = CI_MODE_ENABLED;
		else if (strcmp(t, "disabled") == 0)
			p->mode = CI_MODE_DISABLED;
		else if (strcmp(t, "search") == 0)
			p->mode = CI_MODE_SEARCH;
		else if (strcmp(t, "report") == 0)
			p->mode = CI_MODE_REPORT;
		else if (strcmp(t, "found=first") == 0)
			p->found_first = true;
		else if (strcmp(t, "found=all") == 0)
			p->found_first = false;
		else if (strcmp(t, "maybe=all") == 0)
			p->maybe_all = true;
		else if (strcmp(t, "maybe=none") == 0)
			p->maybe_all = false;
		else if (strcmp(t, "notfound=enabled") == 0)
			p->notfound_enabled = true;
		else if (strcmp(t, "notfound=disabled") == 0)
			p->notfound_enabled = false;
		/* anything else keeps the default, as ds-identify warns and does */
	}
	strvec_clear(&toks);
}

/* ds-identify.cfg ("datasource:" and "policy:") and the command line, as read_config reads them. */
static void dsi_read_config(const struct ci_config *c, struct ci_eval *e)
{
	char *policy = NULL;
	struct ci_origin policy_at = { NULL, 0 };
	if (c->dsi_data) {
		struct sh_reader r = { c->dsi_data, c->dsi_data + c->dsi_len, 0 };
		struct strbuf line = STRBUF_INIT;
		bool new_trim = version_ge(&c->version, 24, 2, 0);
		unsigned ln;
		while (sh_read(&r, &line, &ln)) {
			char *l = xstrdup(strbuf_str(&line));
			char *hash = strchr(l, '#');
			if (hash)
				*hash = '\0';
			char *colon = strchr(l, ':');
			if (colon) {
				*colon = '\0';
				char *key = sh_trim(l, new_trim);
				char *tv = sh_trim(colon + 1, new_trim);
				char *val = sh_unquote(tv);
				free(tv);
				if (strcmp(key, "datasource") == 0) {
					free(e->dsi_dsname);
					e->dsi_dsname = val;
					val = NULL;
					origin_set(&e->dsi_dsname_at, c->dsi_path, ln);
				} else if (strcmp(key, "policy") == 0) {
					free(policy);
					policy = val;
					val = NULL;
					origin_set(&policy_at, c->dsi_path, ln);
				}
				free(val);
				free(key);
			}
			free(l);
		}
		strbuf_release(&line);
	}
	if (c->cmdline) {
		bool has_ds = version_ge(&c->version, 23, 2, 0);
		bool cut_semicolon = version_ge(&c->version, 23, 3, 0);
		struct strvec w = STRVEC_INIT;
		str_split(&w, c->cmdline, " \t\n");
		for (size_t i = 0; i < w.n; i++) {
			char *tok = w.v[i];
			char *eq = strchr(tok, '=');
			char *key = eq ? xstrndup(tok, (size_t)(eq - tok)) : xstrdup(tok);
			char *val = xstrdup(eq ? eq + 1 : tok);
			if (cut_semicolon)
				val[strcspn(val, ";")] = '\0';
			if ((has_ds && strcmp(key, "ds") == 0) || strcmp(key, "ci.ds") == 0 ||
			    strcmp(key, "ci.datasource") == 0) {
				free(e->dsi_dsname);
				e->dsi_dsname = val;
				val = NULL;
				origin_set(&e->dsi_dsname_at, CMDLINE_ORIGIN, 0);
			} else if (strcmp(key, "ci.di.policy") == 0) {
				free(policy);
				policy = val;
				val = NULL;
				origin_set(&policy_at, CMDLINE_ORIGIN, 0);
			}
			free(key);
			free(val);
		}
		strvec_clear(&w);
	}
	if (e->dsi_dsname && !*e->dsi_dsname) {
		free(e->dsi_dsname);
		e->dsi_dsname = NULL;
		origin_set(&e->dsi_dsname_at, NULL, 0);
	}
	parse_policy(&e->policy, policy && *policy ? policy : NULL, c);
	e->policy.text = policy && *policy ? policy : NULL;
	if (e->policy.text) {
		e->policy.at = policy_at;
	} else {
		free(policy);
		free(policy_at.file);
	}
}

/* cloud-init's parse_cmdline: ds=, else ci.ds=, else ci.datasource= (each the first occurrence). */
static char *python_cmdline_ds(const char *cmdline)
{
	static const char *const keys[] = { "ds=", "ci.ds=", "ci.datasource=" };
	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		size_t kl = strlen(keys[k]);
		for (const char *p = strstr(cmdline, keys[k]); p; p = strstr(p + 1, keys[k])) {
			if (p != cmdline && !py_space(p[-1]))
				continue;
			const char *v = p + kl;
			size_t n = 0;
			while (v[n] && !py_space(v[n]) && v[n] != ';')
				n++;
			if (n)
				return xstrndup(v, n);
		}
	}
	return NULL;
}

/* The systemd generator's reading of cloud-init= (before 23.4), or ds-identify's is_disabled (since). */
static enum ci_switch cmdline_switch(const struct ci_config *c)
{
	if (!c->cmdline)
		return CI_SWITCH_UNSET;
	if (version_ge(&c->version, 23, 4, 0))
		return strstr(c->cmdline, "cloud-init=disabled") ? CI_SWITCH_DISABLED : CI_SWITCH_UNSET;
	char *padded = xasprintf(" %s ", c->cmdline);
	enum ci_switch sw = CI_SWITCH_UNSET;
	const char *last = NULL;
	for (const char *p = strstr(padded, " cloud-init="); p; p = strstr(p + 1, " cloud-init="))
		last = p;
	if (last) {
		const char *v = last + strlen(" cloud-init=");
		size_t n = strcspn(v, " ");
		if (n == 7 && strncmp(v, "enabled", 7) == 0)
			sw = CI_SWITCH_ENABLED;
		else if (n == 8 && strncmp(v, "disabled", 8) == 0)
			sw = CI_SWITCH_DISABLED;
	}
	free(padded);
	return sw;
}

int ci_evaluate(const struct ci_config *c, struct ci_eval *e)
{
	int ret = 0;
	memset(e, 0, sizeof(*e));
	for (size_t i = 0; i < c->n + (c->has_cc ? 1 : 0); i++) {
		const struct ci_file *f = i < c->n ? &c->files[i] : &c->cc;
		if (f->error && f->too_big) {
			note(e, f->path, f->error_line, "%s: too large to evaluate, its settings are left out", f->error);
			ret = -E2BIG;
		} else if (f->error) {
			note(e, f->path, f->error_line, "%s: cloud-init ignores this file", f->error);
		}
		if (f->merge_how_line)
			note(e, f->path, f->merge_how_line,
			     "merge_how changes how cloud-init merges this file; evaluated with the default merge");
	}
	const struct ci_file *mc = main_cfg(c);
	if (mc && mc->usable) {
		size_t k, v;
		if (ymap_lookup(&mc->doc, mc->doc.root, "conf_d", &k, &v) == 1) {
			const struct ynode *n = ydoc_node(&mc->doc, v);
			if (py_truthy(n) && !(n->kind == YNODE_SCALAR && ynode_scalar_type(n) == YS_STR))
				note(e, mc->path, ydoc_node(&mc->doc, k)->line,
				     "conf_d is not a string: cloud-init fails to read its configuration");
		}
	}

	static const char *const p_dslist[] = { "datasource_list", NULL };
	struct ci_found f;
	int r = ci_lookup(c, p_dslist, &f);
	if (r < 0) {
		note_too_deep(e, &f, p_dslist);
		ret = r;
	}
	if (r == 1) {
		dslist_from_node(&e->dslist, &f);
	} else {
		push_default(&e->dslist.names, builtin_dslists, ARRAY_SIZE(builtin_dslists), &c->version);
		e->dslist.is_default = true;
	}

	static const char *const p_dsmode[] = { "datasource", "ConfigDrive", "dsmode", NULL };
	static const char *const p_urls[] = { "datasource", "TencentCloud", "metadata_urls", NULL };
	static const char *const p_net[] = { "network", "config", NULL };
	static const char *const p_rend[] = { "system_info", "network", "renderers", NULL };
	int r1 = setting_from(c, p_dsmode, &e->configdrive_dsmode, e);
	int r2 = setting_from(c, p_urls, &e->tencent_metadata_urls, e);
	int r3 = setting_from(c, p_net, &e->network_config, e);
	int r4 = setting_from(c, p_rend, &e->renderers, e);
	if (r1 < 0 || r2 < 0 || r3 < 0 || r4 < 0)
		ret = -E2BIG;

	dsi_read_dslist(c, e);
	dsi_read_config(c, e);
	e->cmdline_switch = cmdline_switch(c);
	if (c->cmdline && version_ge(&c->version, 23, 2, 0))
		e->cmdline_ds = python_cmdline_ds(c->cmdline);
	return ret;
}

/* ---- predictions ---- */

bool ci_list_reaches_config_drive(const struct strvec *names)
{
	return strvec_contains(names, "ConfigDrive") || strvec_contains(names, "TencentCloud");
}

bool ci_list_is_single(const struct strvec *names)
{
	return names->n == 1 || (names->n == 2 && strcmp(names->v[1], "None") == 0);
}

const char *ci_boot_why_text(enum ci_boot_why w)
{
	switch (w) {
	case CI_WHY_CMDLINE_DISABLED:
		return "cloud-init=disabled on the kernel command line";
	case CI_WHY_MARKER_DISABLED:
		return "/etc/cloud/cloud-init.disabled exists";
	case CI_WHY_POLICY_DISABLED:
		return "ds-identify's policy disables cloud-init";
	case CI_WHY_NOTFOUND_DISABLED:
		return "ds-identify finds no datasource and its policy (notfound=disabled) disables cloud-init";
	case CI_WHY_NO_DS_IDENTIFY:
		return "no ds-identify: cloud-init runs with its configured list";
	case CI_WHY_POLICY_ENABLED:
		return "ds-identify's policy enables cloud-init without detection";
	case CI_WHY_POLICY_REPORT:
		return "ds-identify in report mode: cloud-init runs with its configured list";
	case CI_WHY_DSNAME:
		return "a datasource is named on the kernel command line or in ds-identify.cfg";
	case CI_WHY_MANUAL_CLEAN:
		return "manual_cache_clean: ds-identify leaves the list to cloud-init";
	case CI_WHY_SINGLE:
		return "a single-entry datasource_list: ds-identify uses it without detection";
	case CI_WHY_SINGLE_UNREADABLE:
		return "a single-entry datasource_list that ds-identify writes back as YAML cloud-init cannot load: "
		       "cloud-init ignores it and keeps its configured list";
	case CI_WHY_FOUND:
		return "ds-identify finds the config drive";
	case CI_WHY_NOTFOUND_ENABLED:
		return "ds-identify finds no datasource and its policy (notfound=enabled) keeps cloud-init on";
	case CI_WHY_GENERATOR_FAILS:
		return "no ds-identify: the systemd generator of cloud-init 23.4 and later fails and cloud-init does not start";
	}
	return "unknown";
}

void ci_boot_free(struct ci_boot *b)
{
	strvec_clear(&b->dslist);
	memset(b, 0, sizeof(*b));
}

static void boot_python_list(const struct ci_eval *e, struct ci_boot *out)
{
	if (e->dslist.from_string)
		return; /* cloud-init iterates the string's characters: no datasource */
	for (size_t i = 0; i < e->dslist.names.n; i++)
		strvec_push(&out->dslist, e->dslist.names.v[i]);
}

static void boot_list_with_none(struct ci_boot *out, const struct strvec *names)
{
	for (size_t i = 0; i < names->n; i++)
		strvec_push(&out->dslist, names->v[i]);
	if (!strvec_contains(&out->dslist, "None"))
		strvec_push(&out->dslist, "None");
}

/*
 * ds-identify writes the names it read back unquoted, "datasource_list: [ NAME, None ]", into
 * /run/cloud-init/cloud.cfg. A name that cannot start a plain YAML scalar in a flow sequence
 * (an alias "*ds" of "datasource_list: *ds", a tag, a reserved or quoting indicator) makes
 * that file unloadable: cloud-init logs it and keeps the list its own merge gives. Checked
 * against PyYAML's safe_load with cloud-init 22.4 (tests/realroots, case anchor-alias).
 */
static bool dsi_names_loadable(const struct strvec *names)
{
	for (size_t i = 0; i < names->n; i++) {
		const char *n = names->v[i];
		if (n[0] && strchr("*!@`%|>'\":#", n[0]))
			return false;
	}
	return true;
}

void ci_boot_predict(const struct ci_config *c, const struct ci_eval *e, const struct ci_boot_env *env,
		     struct ci_boot *out)
{
	memset(out, 0, sizeof(*out));
	bool new_generator = version_ge(&c->version, 23, 4, 0);
	out->enabled = true;
	out->detection_skipped = true;
	if (!new_generator) {
		/* the generator: kernel command line, then the marker files (enabled first), then on */
		if (e->cmdline_switch == CI_SWITCH_DISABLED) {
			out->enabled = false;
			out->why = CI_WHY_CMDLINE_DISABLED;
			goto out;
		}
		if (e->cmdline_switch != CI_SWITCH_ENABLED && !env->marker_enabled && env->marker_disabled) {
			out->enabled = false;
			out->why = CI_WHY_MARKER_DISABLED;
			goto out;
		}
	}
	if (!env->has_ds_identify) {
		if (new_generator) {
			/* it runs the missing program anyway, gets 127 and links nothing */
			out->enabled = false;
			out->why = CI_WHY_GENERATOR_FAILS;
			goto out;
		}
		out->why = CI_WHY_NO_DS_IDENTIFY;
		boot_python_list(e, out);
		goto out;
	}
	if (new_generator) {
		/* ds-identify's is_disabled, which the generator now relies on */
		if (env->marker_disabled) {
			out->enabled = false;
			out->why = CI_WHY_MARKER_DISABLED;
			goto out;
		}
		if (e->cmdline_switch == CI_SWITCH_DISABLED) {
			out->enabled = false;
			out->why = CI_WHY_CMDLINE_DISABLED;
			goto out;
		}
	}
	bool report = e->policy.mode == CI_MODE_REPORT;
	switch (e->policy.mode) {
	case CI_MODE_DISABLED:
		out->enabled = false;
		out->why = CI_WHY_POLICY_DISABLED;
		goto out;
	case CI_MODE_ENABLED:
		out->why = CI_WHY_POLICY_ENABLED;
		boot_python_list(e, out);
		goto out;
	default:
		break;
	}
	if (e->dsi_dsname) {
		out->why = report ? CI_WHY_POLICY_REPORT : CI_WHY_DSNAME;
		if (report) {
			boot_python_list(e, out);
		} else {
			struct strvec one = STRVEC_INIT;
			strvec_push(&one, e->dsi_dsname);
			boot_list_with_none(out, &one);
			strvec_clear(&one);
		}
		goto out;
	}
	if (env->manual_clean) {
		out->why = CI_WHY_MANUAL_CLEAN;
		boot_python_list(e, out);
		goto out;
	}
	if (ci_list_is_single(&e->dsi_dslist.names)) {
		out->why = report ? CI_WHY_POLICY_REPORT : CI_WHY_SINGLE;
		if (report) {
			boot_python_list(e, out);
		} else if (!dsi_names_loadable(&e->dsi_dslist.names)) {
			out->why = CI_WHY_SINGLE_UNREADABLE;
			boot_python_list(e, out);
		} else {
			boot_list_with_none(out, &e->dsi_dslist.names);
		}
		goto out;
	}
	out->detection_skipped = false;
	bool found = strvec_contains(&e->dsi_dslist.names, "ConfigDrive") &&
		     (env->config_drive_visible || env->seed_config_drive);
	if (found) {
		out->why = report ? CI_WHY_POLICY_REPORT : CI_WHY_FOUND;
		if (report) {
			boot_python_list(e, out);
		} else {
			struct strvec one = STRVEC_INIT;
			strvec_push(&one, "ConfigDrive");
			boot_list_with_none(out, &one);
			strvec_clear(&one);
		}
		goto out;
	}
	if (report) {
		out->why = CI_WHY_POLICY_REPORT;
		boot_python_list(e, out);
	} else if (e->policy.notfound_enabled) {
		out->why = CI_WHY_NOTFOUND_ENABLED;
		boot_python_list(e, out);
	} else {
		out->enabled = false;
		out->why = CI_WHY_NOTFOUND_DISABLED;
	}
out:
	if (!out->enabled)
		strvec_clear(&out->dslist);
	out->reaches_config_drive = out->enabled && ci_list_reaches_config_drive(&out->dslist);
}
