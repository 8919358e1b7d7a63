/*
 * A YAML document as a graph of nodes, for the portable code that reads cloud-init and netplan
 * configuration. An alias is a reference to the node it names, never a copy, so an alias bomb
 * ("billion laughs") costs no more memory than its text; since the graph may even be cyclic
 * ("&a [*a]"), every walk is bounded in depth and in steps. The loader, ydoc_load(), uses
 * libyaml and exists on Linux only (linux/cloudinit_yaml.c); everything else here is portable.
 */
#ifndef CVMPREP_YDOC_H
#define CVMPREP_YDOC_H

#include <stdbool.h>
#include <stddef.h>

/* Bounds for untrusted input: real cloud.cfg and netplan files have a few hundred nodes. */
#define YDOC_MAX_NODES 100000u   /* nodes plus alias references in one document */
#define YDOC_MAX_DEPTH 200u      /* nesting while loading, and depth of any walk */
#define YDOC_MAX_STEPS 100000u   /* nodes visited by one lookup through merge keys */

enum ynode_kind { YNODE_SCALAR, YNODE_SEQ, YNODE_MAP };

struct ynode {
	enum ynode_kind kind;
	unsigned line, col; /* 1-based position of the node's first character */
	char *tag;          /* explicit tag, expanded ("tag:yaml.org,2002:str", "!foo"); NULL if none */
	bool plain;         /* scalar written without quotes and without a tag: typed by its text */
	char *str;          /* scalar text, NUL-terminated (an embedded NUL hides what follows) */
	size_t len;
	size_t *kids;       /* sequence: n item ids; mapping: 2n ids, key then value */
	size_t n;           /* items, or pairs */
};

struct ydoc {
	struct ynode *v; /* ids start at 1; v[0] is unused */
	size_t n;        /* slots in use, v[0] included */
	size_t alloc;
	size_t root;     /* 0: the stream held no document (cloud-init reads that as empty) */
};

struct yerr {
	unsigned line, col; /* 0 when unknown */
	char *msg;          /* NULL when there is no error */
	bool limit;         /* one of our bounds, not a YAML error: PyYAML may well read it */
};

/*
 * Linux only (libyaml). Load the single document of a stream into doc. On error (malformed
 * YAML, more than one document, an undefined alias, a duplicate anchor, the bounds above)
 * returns -EINVAL, fills err and leaves doc empty. Never touches a file.
 */
int ydoc_load(const char *data, size_t len, struct ydoc *doc, struct yerr *err);

/*
 * Linux only (libyaml). What PyYAML's pure-Python scanner (cloud-init's yaml.safe_load) refuses
 * although libyaml accepts it: a tab anywhere but inside a quoted or block scalar or a comment
 * ("found character '\t' that cannot start any token"), a '?' in a plain scalar inside [] or {}
 * (PyYAML ends the scalar there), and text that is not UTF-8 (cloud-init decodes its files as
 * UTF-8 first). 0, or -EINVAL with err filled.
 */
int ydoc_check_pyyaml_text(const char *data, size_t len, struct yerr *err);

void ydoc_free(struct ydoc *d);
void yerr_free(struct yerr *e);
/* Move src into dst (dst must be empty or freed); src is left empty. */
void ydoc_move(struct ydoc *dst, struct ydoc *src);

/* Node by id; NULL for 0 or an id out of range. */
const struct ynode *ydoc_node(const struct ydoc *d, size_t id);

/* Types as PyYAML's SafeLoader (YAML 1.1) resolves them; cloud-init loads its files with it. */
enum yscalar_type { YS_STR, YS_NULL, YS_BOOL, YS_INT, YS_FLOAT, YS_OTHER };
enum yscalar_type ynode_scalar_type(const struct ynode *n);
/* 1 or 0 for a YAML 1.1 boolean (yes/no/on/off/true/false in three casings), else -1. */
int ynode_bool11(const struct ynode *n);
bool ynode_is_null(const struct ynode *n);
/* A scalar that PyYAML constructs as this very string (a key compared with a name). */
bool ynode_is_str(const struct ynode *n, const char *s);

/*
 * Look key up in a mapping as PyYAML constructs it: the last explicit occurrence of the key,
 * else the "<<" merge keys (a later merge key before an earlier one, within a sequence of maps
 * the first map first, recursively). Returns 1 and the key and value ids when found, 0 when
 * not, -E2BIG when the merge keys need more than YDOC_MAX_STEPS steps or YDOC_MAX_DEPTH levels.
 */
int ymap_lookup(const struct ydoc *d, size_t map, const char *key, size_t *key_id, size_t *val_id);

/* The string keys of a mapping, each once, in the order and with the values PyYAML gives its dict (merge keys applied). */
struct ypair {
	size_t key, val;
};
int ymap_pairs(const struct ydoc *d, size_t map, struct ypair **out, size_t *n);

/*
 * What PyYAML's SafeLoader refuses to construct although the YAML is well formed: unhashable
 * keys (a sequence or mapping as a key), a merge key whose value is not a mapping or a list of
 * mappings, a tag it has no constructor for. 0, or -EINVAL with err filled.
 */
int ydoc_check_safe_load(const struct ydoc *d, struct yerr *err);

#endif
