/* The registry for the Windows platform (see reg.h). */
#include "reg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "winsys.h"
#include "banned.h"

/* Split "HKLM\SYSTEM\X" into the root handle and the rest. */
static int split_key(const char *key, HKEY *root, wchar_t **sub)
{
	static const struct {
		const char *name;
		HKEY h;
	} roots[] = {
		{ "HKLM", HKEY_LOCAL_MACHINE },	       { "HKEY_LOCAL_MACHINE", HKEY_LOCAL_MACHINE },
		{ "HKCU", HKEY_CURRENT_USER },	       { "HKEY_CURRENT_USER", HKEY_CURRENT_USER },
		{ "HKU", HKEY_USERS },		       { "HKEY_USERS", HKEY_USERS },
		{ "HKCR", HKEY_CLASSES_ROOT },	       { "HKEY_CLASSES_ROOT", HKEY_CLASSES_ROOT },
	};
	const char *bs = strchr(key, '\\');
	size_t n = bs ? (size_t)(bs - key) : strlen(key);
	for (size_t i = 0; i < ARRAY_SIZE(roots); i++) {
		if (strlen(roots[i].name) == n && strncmp(key, roots[i].name, n) == 0) {
			*root = roots[i].h;
			*sub = win_widen(bs ? bs + 1 : "");
			return *sub ? 0 : -EINVAL;
		}
	}
	return -EINVAL;
}

static int open_key(const char *key, REGSAM access, HKEY *out)
{
	HKEY root;
	wchar_t *sub;
	int e = split_key(key, &root, &sub);
	if (e < 0)
		return e;
	LONG r = RegOpenKeyExW(root, sub, 0, access | KEY_WOW64_64KEY, out);
	free(sub);
	if (r != ERROR_SUCCESS)
		return win_errno((DWORD)r);
	return 0;
}

int reg_get(const char *key, const char *name, struct reg_value *v)
{
	memset(v, 0, sizeof(*v));
	HKEY h;
	int e = open_key(key, KEY_QUERY_VALUE, &h);
	if (e == -ENOENT)
		return 0;
	if (e < 0)
		return e;
	wchar_t *wn = win_widen(name ? name : "");
	if (!wn) {
		RegCloseKey(h);
		return -EINVAL;
	}
	DWORD type = 0, size = 0;
	LONG r = RegQueryValueExW(h, wn, NULL, &type, NULL, &size);
	int ret = 0;
	if (r == ERROR_FILE_NOT_FOUND) {
		ret = 0;
	} else if (r != ERROR_SUCCESS) {
		ret = win_errno((DWORD)r);
	} else if (size > REG_MAX_VALUE) {
		ret = -EFBIG;
	} else {
		/* The value may grow between the two calls: read into what it needs now. */
		for (int tries = 0; tries < 4; tries++) {
			unsigned char *buf = xmalloc(size + 2);
			DWORD got = size;
			r = RegQueryValueExW(h, wn, NULL, &type, buf, &got);
			if (r == ERROR_MORE_DATA && got <= REG_MAX_VALUE) {
				free(buf);
				size = got;
				continue;
			}
			if (r != ERROR_SUCCESS) {
				free(buf);
				ret = r == ERROR_FILE_NOT_FOUND ? 0 : win_errno((DWORD)r);
				break;
			}
			v->present = true;
			v->type = type;
			v->data = buf;
			v->len = got;
			break;
		}
	}
	free(wn);
	RegCloseKey(h);
	return ret;
}

void reg_value_free(struct reg_value *v)
{
	free(v->data);
	memset(v, 0, sizeof(*v));
}

void reg_value_copy(struct reg_value *dst, const struct reg_value *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->present = src->present;
	dst->type = src->type;
	dst->len = src->len;
	if (src->present) {
		dst->data = xmalloc(src->len + 1);
		if (src->len)
			memcpy(dst->data, src->data, src->len);
	}
}

bool reg_value_eq(const struct reg_value *a, const struct reg_value *b)
{
	if (a->present != b->present)
		return false;
	if (!a->present)
		return true;
	return a->type == b->type && a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

int reg_get_dword(const char *key, const char *name, uint32_t *out)
{
	struct reg_value v;
	int e = reg_get(key, name, &v);
	if (e < 0)
		return e;
	if (!v.present) {
		reg_value_free(&v);
		return -ENOENT;
	}
	if (v.type != RT_DWORD || v.len != 4) {
		reg_value_free(&v);
		return -EINVAL;
	}
	*out = (uint32_t)v.data[0] | (uint32_t)v.data[1] << 8 | (uint32_t)v.data[2] << 16 | (uint32_t)v.data[3] << 24;
	reg_value_free(&v);
	return 0;
}

/* UTF-16LE bytes (up to the first NUL unit) as UTF-8. */
static char *utf16_bytes(const unsigned char *d, size_t len)
{
	size_t units = len / 2, n = 0;
	wchar_t *w = xmalloc((units + 1) * sizeof(wchar_t));
	for (; n < units; n++) {
		w[n] = (wchar_t)(d[2 * n] | d[2 * n + 1] << 8);
		if (!w[n])
			break;
	}
	char *s = win_narrow(w, n);
	free(w);
	return s;
}

char *reg_get_string(const char *key, const char *name)
{
	struct reg_value v;
	if (reg_get(key, name, &v) < 0 || !v.present)
		return NULL;
	char *s = v.type == RT_SZ || v.type == RT_EXPAND_SZ ? utf16_bytes(v.data, v.len) : NULL;
	reg_value_free(&v);
	return s;
}

int reg_get_multi(const char *key, const char *name, struct strvec *out)
{
	struct reg_value v;
	int e = reg_get(key, name, &v);
	if (e < 0)
		return e;
	if (!v.present) {
		reg_value_free(&v);
		return -ENOENT;
	}
	if (v.type == RT_SZ || v.type == RT_EXPAND_SZ) {
		strvec_push_nodup(out, utf16_bytes(v.data, v.len));
	} else if (v.type == RT_MULTI_SZ) {
		size_t units = v.len / 2, start = 0;
		for (size_t i = 0; i <= units; i++) {
			bool nul = i == units || (v.data[2 * i] == 0 && v.data[2 * i + 1] == 0);
			if (!nul)
				continue;
			if (i == start)
				break; /* the empty string that ends the list */
			strvec_push_nodup(out, utf16_bytes(v.data + 2 * start, 2 * (i - start)));
			start = i + 1;
		}
	} else {
		e = -EINVAL;
	}
	reg_value_free(&v);
	return e;
}

bool reg_key_exists(const char *key)
{
	HKEY h;
	if (open_key(key, KEY_QUERY_VALUE, &h) < 0)
		return false;
	RegCloseKey(h);
	return true;
}

static int enum_names(const char *key, bool subkeys, struct strvec *names)
{
	HKEY h;
	int e = open_key(key, KEY_ENUMERATE_SUB_KEYS | KEY_QUERY_VALUE, &h);
	if (e < 0)
		return e;
	wchar_t name[16384];
	for (DWORD i = 0; i < 100000; i++) {
		DWORD n = ARRAY_SIZE(name);
		LONG r = subkeys ? RegEnumKeyExW(h, i, name, &n, NULL, NULL, NULL, NULL)
				 : RegEnumValueW(h, i, name, &n, NULL, NULL, NULL, NULL);
		if (r == ERROR_NO_MORE_ITEMS)
			break;
		if (r != ERROR_SUCCESS) {
			e = win_errno((DWORD)r);
			break;
		}
		strvec_push_nodup(names, win_narrow(name, n));
	}
	RegCloseKey(h);
	strvec_sort(names);
	return e;
}

int reg_subkeys(const char *key, struct strvec *names)
{
	return enum_names(key, true, names);
}

int reg_values(const char *key, struct strvec *names)
{
	return enum_names(key, false, names);
}

int reg_create_key(const char *key, struct strvec *created)
{
	struct strvec parts = STRVEC_INIT;
	str_split(&parts, key, "\\");
	struct strbuf cur = STRBUF_INIT;
	int ret = 0;
	for (size_t i = 0; i < parts.n && ret == 0; i++) {
		if (i)
			strbuf_addch(&cur, '\\');
		strbuf_addstr(&cur, parts.v[i]);
		if (i == 0 || reg_key_exists(strbuf_str(&cur)))
			continue;
		HKEY root, h;
		wchar_t *sub;
		ret = split_key(strbuf_str(&cur), &root, &sub);
		if (ret < 0)
			break;
		LONG r = RegCreateKeyExW(root, sub, 0, NULL, REG_OPTION_NON_VOLATILE, KEY_WRITE | KEY_WOW64_64KEY, NULL,
					 &h, NULL);
		free(sub);
		if (r != ERROR_SUCCESS) {
			ret = win_errno((DWORD)r);
			break;
		}
		RegCloseKey(h);
		if (created)
			strvec_push(created, strbuf_str(&cur));
	}
	strbuf_release(&cur);
	strvec_clear(&parts);
	return ret;
}

int reg_put(const char *key, const char *name, const struct reg_value *v)
{
	HKEY h;
	int e = open_key(key, KEY_SET_VALUE, &h);
	if (e < 0)
		return e;
	wchar_t *wn = win_widen(name ? name : "");
	if (!wn) {
		RegCloseKey(h);
		return -EINVAL;
	}
	LONG r;
	if (v->present)
		r = RegSetValueExW(h, wn, 0, v->type, v->data, (DWORD)v->len);
	else {
		r = RegDeleteValueW(h, wn);
		if (r == ERROR_FILE_NOT_FOUND)
			r = ERROR_SUCCESS;
	}
	free(wn);
	/* The change must be on disk before the journal says it happened. */
	if (r == ERROR_SUCCESS)
		RegFlushKey(h);
	RegCloseKey(h);
	return r == ERROR_SUCCESS ? 0 : win_errno((DWORD)r);
}

int reg_delete_empty_key(const char *key)
{
	HKEY h;
	int e = open_key(key, KEY_QUERY_VALUE, &h);
	if (e < 0)
		return e;
	DWORD nsub = 0, nval = 0;
	LONG r = RegQueryInfoKeyW(h, NULL, NULL, NULL, &nsub, NULL, NULL, &nval, NULL, NULL, NULL, NULL);
	RegCloseKey(h);
	if (r != ERROR_SUCCESS)
		return win_errno((DWORD)r);
	if (nsub || nval)
		return -ENOTEMPTY;
	HKEY root;
	wchar_t *sub;
	e = split_key(key, &root, &sub);
	if (e < 0)
		return e;
	typedef LONG(WINAPI * del_ex_t)(HKEY, LPCWSTR, REGSAM, DWORD);
	del_ex_t del_ex = (del_ex_t)win_proc(L"advapi32.dll", "RegDeleteKeyExW");
	r = del_ex ? del_ex(root, sub, KEY_WOW64_64KEY, 0) : RegDeleteKeyW(root, sub);
	free(sub);
	return r == ERROR_SUCCESS || r == ERROR_FILE_NOT_FOUND ? 0 : win_errno((DWORD)r);
}

int reg_delete_tree(const char *key)
{
	struct strvec subs = STRVEC_INIT;
	int e = reg_subkeys(key, &subs);
	if (e == -ENOENT)
		return 0;
	for (size_t i = 0; i < subs.n && e == 0; i++) {
		char *child = xasprintf("%s\\%s", key, subs.v[i]);
		e = reg_delete_tree(child);
		free(child);
	}
	strvec_clear(&subs);
	if (e < 0)
		return e;
	struct strvec vals = STRVEC_INIT;
	e = reg_values(key, &vals);
	for (size_t i = 0; i < vals.n && e == 0; i++) {
		struct reg_value none = { 0 };
		e = reg_put(key, vals.v[i], &none);
	}
	strvec_clear(&vals);
	/* The default value is listed as "" and deleted with the others. */
	return e < 0 ? e : reg_delete_empty_key(key);
}

void reg_value_sz(struct reg_value *v, uint32_t type, const char *utf8)
{
	memset(v, 0, sizeof(*v));
	wchar_t *w = win_widen(utf8);
	size_t n = w ? wcslen(w) : 0;
	v->present = true;
	v->type = type;
	v->len = (n + 1) * 2;
	v->data = xcalloc(v->len + 1, 1);
	for (size_t i = 0; i < n; i++) {
		v->data[2 * i] = (unsigned char)(w[i] & 0xff);
		v->data[2 * i + 1] = (unsigned char)(w[i] >> 8);
	}
	free(w);
}

void reg_value_dword(struct reg_value *v, uint32_t x)
{
	memset(v, 0, sizeof(*v));
	v->present = true;
	v->type = RT_DWORD;
	v->len = 4;
	v->data = xmalloc(5);
	for (int i = 0; i < 4; i++)
		v->data[i] = (unsigned char)(x >> (8 * i));
}

void reg_value_multi(struct reg_value *v, const char *const *items, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		struct reg_value one;
		reg_value_sz(&one, RT_SZ, items[i]);
		strbuf_add(&sb, one.data, one.len);
		reg_value_free(&one);
	}
	strbuf_add(&sb, "\0\0", 2);
	memset(v, 0, sizeof(*v));
	v->present = true;
	v->type = RT_MULTI_SZ;
	v->len = sb.len;
	v->data = (unsigned char *)strbuf_detach(&sb);
}

void reg_value_binary(struct reg_value *v, const void *data, size_t len)
{
	memset(v, 0, sizeof(*v));
	v->present = true;
	v->type = RT_BINARY;
	v->len = len;
	v->data = xmalloc(len + 1);
	if (len)
		memcpy(v->data, data, len);
}

const char *reg_type_name(uint32_t type)
{
	switch (type) {
	case RT_NONE:
		return "REG_NONE";
	case RT_SZ:
		return "REG_SZ";
	case RT_EXPAND_SZ:
		return "REG_EXPAND_SZ";
	case RT_BINARY:
		return "REG_BINARY";
	case RT_DWORD:
		return "REG_DWORD";
	case RT_MULTI_SZ:
		return "REG_MULTI_SZ";
	case RT_QWORD:
		return "REG_QWORD";
	default:
		return "REG_OTHER";
	}
}

char *reg_value_show(const struct reg_value *v)
{
	if (!v->present)
		return xstrdup("(absent)");
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, reg_type_name(v->type));
	if (v->type == RT_DWORD && v->len == 4) {
		uint32_t x = (uint32_t)v->data[0] | (uint32_t)v->data[1] << 8 | (uint32_t)v->data[2] << 16 |
			     (uint32_t)v->data[3] << 24;
		strbuf_addf(&sb, " 0x%x (%u)", (unsigned)x, (unsigned)x);
	} else if (v->type == RT_SZ || v->type == RT_EXPAND_SZ) {
		char *s = utf16_bytes(v->data, v->len), *p = str_printable(s, 200);
		strbuf_addf(&sb, " \"%s\"", p);
		free(s);
		free(p);
	} else if (v->type == RT_MULTI_SZ) {
		struct strvec items = STRVEC_INIT;
		size_t units = v->len / 2, start = 0;
		for (size_t i = 0; i <= units; i++) {
			if (!(i == units || (v->data[2 * i] == 0 && v->data[2 * i + 1] == 0)))
				continue;
			if (i == start)
				break;
			strvec_push_nodup(&items, utf16_bytes(v->data + 2 * start, 2 * (i - start)));
			start = i + 1;
		}
		for (size_t i = 0; i < items.n; i++) {
			char *p = str_printable(items.v[i], 200);
			strbuf_addf(&sb, "%s\"%s\"", i ? ", " : " ", p);
			free(p);
		}
		strvec_clear(&items);
	} else {
		for (size_t i = 0; i < v->len && i < 64; i++)
			strbuf_addf(&sb, " %02x", v->data[i]);
		if (v->len > 64)
			strbuf_addf(&sb, " ... (%zu bytes)", v->len);
	}
	return strbuf_detach(&sb);
}

char *reg_value_encode(const struct reg_value *v)
{
	if (!v->present)
		return xstrdup("-");
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%u:", (unsigned)v->type);
	for (size_t i = 0; i < v->len; i++)
		strbuf_addf(&sb, "%02x", v->data[i]);
	return strbuf_detach(&sb);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int reg_value_decode(const char *s, struct reg_value *v)
{
	memset(v, 0, sizeof(*v));
	if (strcmp(s, "-") == 0)
		return 0;
	char *end;
	unsigned long t = strtoul(s, &end, 10);
	if (*end != ':' || t > 0xffff)
		return -EINVAL;
	const char *h = end + 1;
	size_t n = strlen(h);
	if (n % 2 || n / 2 > REG_MAX_VALUE)
		return -EINVAL;
	v->data = xmalloc(n / 2 + 1);
	for (size_t i = 0; i < n / 2; i++) {
		int a = hexval(h[2 * i]), b = hexval(h[2 * i + 1]);
		if (a < 0 || b < 0) {
			reg_value_free(v);
			return -EINVAL;
		}
		v->data[i] = (unsigned char)(a << 4 | b);
	}
	v->present = true;
	v->type = (uint32_t)t;
	v->len = n / 2;
	return 0;
}
