/* url.*: the COS host pattern, signatures and their redaction, regions, and the rules over a URL's facts. */
#include "urlcheck.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

void url_facts_free(struct url_facts *f)
{
	free(f->shown);
	free(f->parse_error);
	free(f->scheme);
	free(f->host);
	free(f->port);
	strvec_clear(&f->sign_params);
	free(f->request_url);
	cos_host_free(&f->cos);
	free(f->skip_reason);
	free(f->net_reason);
	free(f->final_url);
	free(f->cos_code);
	free(f->cos_message);
	free(f->cos_request_id);
	free(f->content_type);
	image_facts_free(&f->img);
	memset(f, 0, sizeof(*f));
}

/* COS's own signature (q-*), its token, and the S3-compatible presigned forms. */
static const char *const sign_names[] = {
	"q-sign-algorithm", "q-ak", "q-sign-time", "q-key-time", "q-header-list", "q-url-param-list",
	"q-signature", "sign", "signature", "x-cos-security-token", "x-cos-signature", "token", "security-token",
	"x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-expires", "x-amz-signedheaders",
	"x-amz-signature", "x-amz-security-token", "awsaccesskeyid",
};

bool url_param_is_signature(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(sign_names); i++)
		if (str_casecmp(name, sign_names[i]) == 0)
			return true;
	return false;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A query parameter's name, percent-decoded (a signature cannot hide as q%2Dsignature). */
static char *decode_name(const char *p, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		int h, l;
		if (p[i] == '%' && i + 2 < n && (h = hexval((unsigned char)p[i + 1])) >= 0 &&
		    (l = hexval((unsigned char)p[i + 2])) >= 0) {
			strbuf_addch(&sb, (char)(h * 16 + l));
			i += 2;
		} else if (p[i] == '+') {
			strbuf_addch(&sb, ' ');
		} else {
			strbuf_addch(&sb, p[i]);
		}
	}
	return strbuf_detach(&sb);
}

static size_t name_len(const char *p)
{
	return strcspn(p, "=&# \t\r\n\"'<>");
}

static size_t value_len(const char *p)
{
	return strcspn(p, "&# \t\r\n\"'<>");
}

void url_query_signature_params(const char *query, struct strvec *names)
{
	const char *p = query;
	while (p && *p) {
		size_t n = strcspn(p, "&");
		size_t nl = strcspn(p, "=&");
		char *name = decode_name(p, nl < n ? nl : n);
		if (url_param_is_signature(name) && !strvec_contains(names, name))
			strvec_push(names, name);
		free(name);
		p += n;
		if (*p == '&')
			p++;
	}
}

char *url_query_strip_signature(const char *query)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = query;
	while (p && *p) {
		size_t n = strcspn(p, "&");
		size_t nl = strcspn(p, "=&");
		char *name = decode_name(p, nl < n ? nl : n);
		if (n && !url_param_is_signature(name)) {
			if (sb.len)
				strbuf_addch(&sb, '&');
			strbuf_add(&sb, p, n);
		}
		free(name);
		p += n;
		if (*p == '&')
			p++;
	}
	return strbuf_detach(&sb);
}

char *url_redact(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i = 0, len = strlen(s);
	while (i < len) {
		char c = s[i];
		/* scheme://user:password@host: keep the user, hide the password. */
		if (c == ':' && i + 2 < len && s[i + 1] == '/' && s[i + 2] == '/') {
			strbuf_add(&sb, "://", 3);
			i += 3;
			size_t auth = strcspn(s + i, "/?#@ \t\r\n\"'<>");
			if (s[i + auth] == '@') {
				size_t colon = strcspn(s + i, ":@");
				strbuf_add(&sb, s + i, colon);
				if (colon < auth)
					strbuf_addstr(&sb, ":REDACTED");
				strbuf_addch(&sb, '@');
				i += auth + 1;
			}
			continue;
		}
		if (c == '?' || c == '&') {
			strbuf_addch(&sb, c);
			i++;
			size_t nl = name_len(s + i);
			char *name = decode_name(s + i, nl);
			bool secret = s[i + nl] == '=' && url_param_is_signature(name);
			free(name);
			strbuf_add(&sb, s + i, nl);
			i += nl;
			if (secret) {
				strbuf_addch(&sb, '=');
				i++;
				size_t vl = value_len(s + i);
				if (vl)
					strbuf_addstr(&sb, "REDACTED");
				i += vl;
			}
			continue;
		}
		strbuf_addch(&sb, c);
		i++;
	}
	return strbuf_detach(&sb);
}

/* ---- hosts and regions ---- */

static const struct {
	const char *name;
	enum region_kind kind;
} regions[] = {
	{ "ap-beijing", REGION_MAINLAND },     { "ap-beijing-1", REGION_MAINLAND },
	{ "ap-nanjing", REGION_MAINLAND },     { "ap-shanghai", REGION_MAINLAND },
	{ "ap-guangzhou", REGION_MAINLAND },   { "ap-chengdu", REGION_MAINLAND },
	{ "ap-chongqing", REGION_MAINLAND },   { "ap-shanghai-fsi", REGION_FINANCE },
	{ "ap-shenzhen-fsi", REGION_FINANCE }, { "ap-beijing-fsi", REGION_FINANCE },
	{ "ap-hongkong", REGION_OUTSIDE },     { "ap-singapore", REGION_OUTSIDE },
	{ "ap-mumbai", REGION_OUTSIDE },       { "ap-jakarta", REGION_OUTSIDE },
	{ "ap-seoul", REGION_OUTSIDE },        { "ap-bangkok", REGION_OUTSIDE },
	{ "ap-tokyo", REGION_OUTSIDE },        { "na-siliconvalley", REGION_OUTSIDE },
	{ "na-ashburn", REGION_OUTSIDE },      { "na-toronto", REGION_OUTSIDE },
	{ "sa-saopaulo", REGION_OUTSIDE },     { "eu-frankfurt", REGION_OUTSIDE },
	{ "eu-moscow", REGION_OUTSIDE },
};

enum region_kind cos_region_kind(const char *region)
{
	for (size_t i = 0; region && i < ARRAY_SIZE(regions); i++)
		if (strcmp(regions[i].name, region) == 0)
			return regions[i].kind;
	return REGION_UNKNOWN;
}

void cos_host_free(struct cos_host *h)
{
	free(h->bucket);
	free(h->appid);
	free(h->region);
	free(h->problem);
	memset(h, 0, sizeof(*h));
}

static bool all_of(const char *s, size_t n, const char *set)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr(set, s[i]) || !s[i])
			return false;
	return true;
}

#define LOWER_DIGIT_DASH "abcdefghijklmnopqrstuvwxyz0123456789-"

void cos_parse_host(const char *host, struct cos_host *out)
{
	memset(out, 0, sizeof(*out));
	char *h = xstrdup(host ? host : "");
	for (char *p = h; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	size_t n = strlen(h);
	if (n && h[n - 1] == '.')
		h[--n] = 0; /* a fully qualified name with its root dot */
	struct strvec labels = STRVEC_INIT;
	str_split(&labels, h, ".");
	static const char suffix[] = ".myqcloud.com";
	if (!str_ends_with(h, suffix) || labels.n < 3) {
		out->problem = xstrdup(str_ends_with(h, ".tencentcos.cn")
					       ? "a tencentcos.cn host: give the bucket's myqcloud.com URL"
					       : "the host is not under myqcloud.com");
		goto out;
	}
	if (labels.n != 5 || (strcmp(labels.v[1], "cos") != 0)) {
		if (labels.n == 5 && strcmp(labels.v[1], "cos-website") == 0)
			out->problem = xstrdup("a static website endpoint (cos-website): use the bucket's default "
					       "endpoint BUCKET-APPID.cos.REGION.myqcloud.com");
		else if (labels.n == 4 && strcmp(labels.v[0], "cos") == 0)
			out->problem = xstrdup("the bucket is not in the host name (path-style URL): use "
					       "BUCKET-APPID.cos.REGION.myqcloud.com/KEY");
		else if (labels.n == 4 && strcmp(labels.v[1], "file") == 0)
			out->problem = xstrdup("a CDN domain (file.myqcloud.com): use the bucket's default endpoint");
		else
			out->problem = xstrdup("not of the form BUCKET-APPID.cos.REGION.myqcloud.com");
		goto out;
	}
	const char *ba = labels.v[0], *region = labels.v[2];
	if (strcmp(region, "accelerate") == 0) {
		out->problem = xstrdup("a global acceleration endpoint (cos.accelerate): use the bucket's regional "
				       "endpoint BUCKET-APPID.cos.REGION.myqcloud.com");
		goto out;
	}
	const char *dash = strrchr(ba, '-');
	if (!dash || dash == ba || !all_of(dash + 1, strlen(dash + 1), "0123456789")) {
		out->problem = xasprintf("'%s' does not end in -APPID (the account's numeric APPID)", ba);
		goto out;
	}
	if (!all_of(ba, (size_t)(dash - ba), LOWER_DIGIT_DASH) || ba[0] == '-' || strlen(ba) > 50) {
		out->problem = xasprintf("'%s' is not a valid COS bucket name", ba);
		goto out;
	}
	const char *rd = strchr(region, '-');
	if (!rd || rd == region || !all_of(region, strlen(region), LOWER_DIGIT_DASH)) {
		out->problem = xasprintf("'%s' is not a COS region name", region);
		goto out;
	}
	out->ok = true;
	out->bucket = xstrndup(ba, (size_t)(dash - ba));
	out->appid = xstrdup(dash + 1);
	out->region = xstrdup(region);
out:
	strvec_clear(&labels);
	free(h);
}

char *cos_xml_value(const char *body, size_t len, const char *tag)
{
	if (!body)
		return NULL;
	char *open = xasprintf("<%s>", tag), *close = xasprintf("</%s>", tag);
	char *val = NULL;
	size_t ol = strlen(open);
	for (size_t i = 0; i + ol <= len; i++) {
		if (memcmp(body + i, open, ol) != 0)
			continue;
		size_t s = i + ol, e = s;
		size_t cl = strlen(close);
		while (e + cl <= len && memcmp(body + e, close, cl) != 0)
			e++;
		if (e + cl > len)
			break;
		char *raw = xstrndup(body + s, e - s);
		val = str_printable(str_trim(raw), 256);
		free(raw);
		break;
	}
	free(open);
	free(close);
	return val;
}

/* ---- what the fetched bytes say ---- */

struct membuf {
	const uint8_t *p;
	size_t n;
};

static int mem_read(void *arg, uint64_t off, void *buf, size_t len)
{
	const struct membuf *m = arg;
	if (off > m->n || len > m->n - off)
		return -ERANGE; /* beyond the bytes fetched */
	memcpy(buf, m->p + off, len);
	return 0;
}

void image_facts_from_bytes(const uint8_t *head, size_t head_len, const uint8_t *tail, size_t tail_len,
			    uint64_t total, bool total_known, struct image_facts *f)
{
	f->read = true;
	f->remote = true;
	f->size_known = total_known;
	f->size = total;
	imagefmt_identify(head, head_len, tail, tail_len, total_known ? total : 0, &f->info);
	if (f->info.format == IMG_RAW) {
		struct membuf mb = { head, head_len };
		int ret = ptable_read(mem_read, &mb, total_known ? total : head_len, &f->pt);
		if (ret == -ERANGE)
			strvec_pushf(&f->pt.problems, "logical partitions beyond the first %zu bytes were not read", head_len);
		f->pt_read = true;
	}
}

/* ---- rules ---- */

void rule_url_cos(const struct url_facts *f, const struct check *c, struct report *r)
{
	struct finding *fd;
	if (!f->parsed) {
		fd = report_add(r, c, ST_FAIL, f->shown, "not a valid URL%s%s", f->parse_error ? ": " : "",
				f->parse_error ? f->parse_error : "");
		return;
	}
	if (str_casecmp(f->scheme, "http") != 0 && str_casecmp(f->scheme, "https") != 0) {
		fd = report_add(r, c, ST_FAIL, f->shown, "the scheme '%s' is not http or https", f->scheme);
		return;
	}
	if (!f->cos.ok) {
		fd = report_add(r, c, ST_FAIL, f->shown, "'%s' is not a COS bucket host", f->host ? f->host : "");
		finding_evidence(fd, "%s", f->cos.problem ? f->cos.problem : "not a COS host");
		finding_evidence(fd, "the import takes a COS object URL: https://BUCKET-APPID.cos.REGION.myqcloud.com/KEY");
		return;
	}
	if (f->port && strcmp(f->port, "80") != 0 && strcmp(f->port, "443") != 0) {
		fd = report_add(r, c, ST_FAIL, f->shown, "port %s: COS serves on the default ports 80 and 443 only", f->port);
		return;
	}
	fd = report_add(r, c, ST_PASS, f->shown, "COS bucket %s-%s in %s", f->cos.bucket, f->cos.appid, f->cos.region);
	finding_evidence(fd, "host: %s", f->host);
}

void rule_url_signature(const struct url_facts *f, const struct check *c, struct report *r)
{
	if (!f->parsed) {
		report_add(r, c, ST_SKIP, f->shown, "not a valid URL");
		return;
	}
	if (!f->sign_params.n) {
		report_add(r, c, ST_PASS, f->shown, "no signature or token parameters");
		return;
	}
	struct strbuf names = STRBUF_INIT;
	for (size_t i = 0; i < f->sign_params.n; i++) {
		if (i)
			strbuf_addstr(&names, ", ");
		strbuf_addstr(&names, f->sign_params.v[i]);
	}
	struct finding *fd = report_add(r, c, ST_FAIL, f->shown,
					"a signed URL (%s): it stops working when the signature expires",
					strbuf_str(&names));
	finding_evidence(fd, "make the object public-read and give the plain URL, without its query string");
	finding_evidence(fd, "the other checks used the URL without these parameters; their values are redacted in "
			     "every output");
	strbuf_release(&names);
}

static const char *kind_name(enum region_kind k)
{
	switch (k) {
	case REGION_MAINLAND:
		return "in the Chinese mainland";
	case REGION_FINANCE:
		return "a finance region";
	case REGION_OUTSIDE:
		return "outside the Chinese mainland";
	case REGION_UNKNOWN:
		break;
	}
	return "not a region cvmprep knows";
}

void rule_url_region(const struct url_facts *f, const struct check *c, struct report *r)
{
	if (!f->cos.ok) {
		report_add(r, c, ST_SKIP, f->shown, "not a COS bucket URL: no bucket region");
		return;
	}
	const char *b = f->cos.region, *t = f->target_region;
	if (!t) {
		report_add(r, c, ST_SKIP, f->shown,
			   "the bucket is in %s; no import region given (--region, or [target] region in the configuration)",
			   b);
		return;
	}
	enum region_kind bk = cos_region_kind(b), tk = cos_region_kind(t);
	struct finding *fd;
	if (strcmp(b, t) == 0) {
		fd = report_add(r, c, ST_PASS, f->shown, "the bucket is in %s, the import region", b);
		finding_evidence(fd, "import region from %s", f->target_source);
		return;
	}
	fd = report_add(r, c, ST_FAIL, f->shown, "the bucket is in %s, the import goes to %s", b, t);
	finding_evidence(fd, "bucket region %s: %s", b, kind_name(bk));
	finding_evidence(fd, "import region %s (from %s): %s", t, f->target_source, kind_name(tk));
	if (bk == REGION_MAINLAND && tk == REGION_MAINLAND) {
		fd->severity = SEV_WARNING;
		finding_evidence(fd, "a cross-region import within the mainland works, but a bucket in the import region "
				     "is faster");
	} else {
		finding_evidence(fd, "finance regions (ap-shanghai-fsi, ap-shenzhen-fsi) and regions outside the mainland "
				     "import only from a bucket in the same region: copy the object to a bucket in %s", t);
	}
}

void rule_url_readable(const struct url_facts *f, const struct check *c, struct report *r)
{
	struct finding *fd;
	if (!f->fetched) {
		report_add(r, c, ST_SKIP, f->shown, "%s", f->skip_reason ? f->skip_reason : "no request was made");
		return;
	}
	if (f->net_failed) {
		fd = report_add(r, c, ST_ERROR, f->shown, "could not get an answer from %s: %s", f->host,
				f->net_reason ? f->net_reason : "network error");
		return;
	}
	if (f->redirect_loop) {
		fd = report_add(r, c, ST_FAIL, f->shown, "the server redirects in a loop (more than %ld redirects)",
				f->redirects);
	} else if (f->status >= 200 && f->status < 300) {
		fd = report_add(r, c, ST_PASS, f->shown, "anonymous %s: HTTP %ld", f->method, f->status);
	} else if (f->status == 403) {
		fd = report_add(r, c, ST_FAIL, f->shown, "access denied (HTTP 403): the object is not public-read");
		finding_evidence(fd, "give the object (or the bucket) public-read access, or the import cannot fetch it");
	} else if (f->status == 404) {
		bool nobucket = f->cos_code && strcmp(f->cos_code, "NoSuchBucket") == 0;
		fd = report_add(r, c, ST_FAIL, f->shown, "not found (HTTP 404): %s",
				nobucket ? "the bucket does not exist" : "no such object (deleted, or a wrong key)");
	} else {
		fd = report_add(r, c, ST_FAIL, f->shown, "the anonymous %s got HTTP %ld", f->method, f->status);
	}
	finding_evidence(fd, "%s request without credentials%s", f->method,
			 f->sign_params.n ? ", signature parameters removed" : "");
	if (f->head_status)
		finding_evidence(fd, "HEAD was refused (HTTP %ld); a ranged GET was used", f->head_status);
	if (f->status)
		finding_evidence(fd, "HTTP status: %ld", f->status);
	if (f->cos_code)
		finding_evidence(fd, "COS error code: %s", f->cos_code);
	if (f->cos_message)
		finding_evidence(fd, "COS message: %s", f->cos_message);
	if (f->cos_request_id)
		finding_evidence(fd, "COS request id: %s", f->cos_request_id);
	if (f->redirects && f->final_url)
		finding_evidence(fd, "redirected %ld time%s, last to %s", f->redirects, f->redirects == 1 ? "" : "s",
				 f->final_url);
}
