/*
 * The registry for the Windows platform: keys named by their path ("HKLM\SYSTEM\..."), values
 * read and written as their type and raw bytes (so that a value can be saved in the journal and
 * put back exactly), and helpers that show a value to people. Always the 64-bit view.
 */
#ifndef CVMPREP_REG_H
#define CVMPREP_REG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* REG_* type numbers, so that portable code can name them. */
enum {
	RT_NONE = 0,
	RT_SZ = 1,
	RT_EXPAND_SZ = 2,
	RT_BINARY = 3,
	RT_DWORD = 4,
	RT_MULTI_SZ = 7,
	RT_QWORD = 11,
};

#define REG_MAX_VALUE (1u << 20)

struct reg_value {
	bool present;
	uint32_t type;
	unsigned char *data;
	size_t len;
};

/* 0 (v->present false when the key or value does not exist), or -errno. */
int reg_get(const char *key, const char *name, struct reg_value *v);
void reg_value_free(struct reg_value *v);
void reg_value_copy(struct reg_value *dst, const struct reg_value *src);
bool reg_value_eq(const struct reg_value *a, const struct reg_value *b);

/* Typed reads: 0, -ENOENT (absent), -EINVAL (another type). */
int reg_get_dword(const char *key, const char *name, uint32_t *out);
/* REG_SZ or REG_EXPAND_SZ as UTF-8 (not expanded), or NULL. */
char *reg_get_string(const char *key, const char *name);
int reg_get_multi(const char *key, const char *name, struct strvec *out);

bool reg_key_exists(const char *key);
/* Names of subkeys / values, sorted; -ENOENT when the key does not exist. */
int reg_subkeys(const char *key, struct strvec *names);
int reg_values(const char *key, struct strvec *names);

/* Create the key and its missing parents; created gets each key made, parent first. */
int reg_create_key(const char *key, struct strvec *created);
/* Write or delete a value (v->present false deletes it). The key must exist. */
int reg_put(const char *key, const char *name, const struct reg_value *v);
/* Delete a key that has no values and no subkeys; -ENOTEMPTY otherwise. */
int reg_delete_empty_key(const char *key);
/* Delete a key with everything under it. */
int reg_delete_tree(const char *key);

/* Build values. */
void reg_value_sz(struct reg_value *v, uint32_t type, const char *utf8);
void reg_value_dword(struct reg_value *v, uint32_t x);
void reg_value_multi(struct reg_value *v, const char *const *items, size_t n);
void reg_value_binary(struct reg_value *v, const void *data, size_t len);

/* For people: "REG_DWORD 0x0 (0)", "REG_SZ \"SCSI miniport\"", "(absent)". */
char *reg_value_show(const struct reg_value *v);
const char *reg_type_name(uint32_t type);
/* For the journal: type and hexadecimal bytes, and back. */
char *reg_value_encode(const struct reg_value *v);
int reg_value_decode(const char *s, struct reg_value *v);

#endif
