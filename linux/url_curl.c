/*
 * The HTTP side of url-check with libcurl: URL parsing with the URL API, anonymous HEAD and
 * ranged GET requests with TLS verification always on, a redirect limit, timeouts, the
 * environment's proxy settings and a cvmprep User-Agent.
 *
 * Test-only hooks (the tests map COS host names to a server on 127.0.0.1 and trust a throwaway
 * CA; users never need them): CVMPREP_TEST_CONNECT_TO="HOST:PORT:CONNECT-HOST:CONNECT-PORT[,...]"
 * feeds CURLOPT_CONNECT_TO, CVMPREP_TEST_CAINFO=FILE feeds CURLOPT_CAINFO. Neither turns
 * verification off: the server still needs a certificate for the COS host name.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "urlcheck.h"
#include "banned.h"

#define MAX_REDIRECTS 5
#define ERROR_BODY_MAX (16 * 1024)

int url_parse(const char *url, struct url_facts *f)
{
	CURLU *u = curl_url();
	if (!u)
		die_oom();
	char *part = NULL, *query = NULL, *stripped = NULL;
	CURLUcode rc = curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
	if (rc != CURLUE_OK) {
		char *msg = url_redact(curl_url_strerror(rc));
		f->parse_error = msg;
		goto out;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &part, 0) == CURLUE_OK) {
		f->scheme = xstrdup(part);
		curl_free(part);
		part = NULL;
	}
	if (curl_url_get(u, CURLUPART_HOST, &part, 0) == CURLUE_OK) {
		f->host = xstrdup(part);
		curl_free(part);
		part = NULL;
	}
	if (curl_url_get(u, CURLUPART_PORT, &part, 0) == CURLUE_OK) {
		f->port = xstrdup(part);
		curl_free(part);
		part = NULL;
	}
	if (!f->scheme || !f->host) {
		f->parse_error = xstrdup("no scheme or host");
		goto out;
	}
	f->parsed = true;
	if (curl_url_get(u, CURLUPART_QUERY, &query, 0) != CURLUE_OK)
		query = NULL;
	if (query) {
		url_query_signature_params(query, &f->sign_params);
		stripped = url_query_strip_signature(query);
	}
	/* The requests are anonymous and unsigned: what the import itself will do. */
	curl_url_set(u, CURLUPART_QUERY, stripped && *stripped ? stripped : NULL, 0);
	curl_url_set(u, CURLUPART_USER, NULL, 0);
	curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
	curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
	if (curl_url_get(u, CURLUPART_URL, &part, 0) == CURLUE_OK) {
		f->request_url = xstrdup(part);
		curl_free(part);
		part = NULL;
	}
out:
	curl_free(query);
	free(stripped);
	curl_url_cleanup(u);
	return 0;
}

struct resp {
	uint8_t *body;
	size_t len, cap;
	bool truncated;
	char *content_range;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct resp *r = arg;
	size_t len = size * n;
	size_t take = r->cap - r->len < len ? r->cap - r->len : len;
	if (!r->body)
		r->body = xmalloc(r->cap ? r->cap : 1);
	memcpy(r->body + r->len, p, take);
	r->len += take;
	if (take < len) {
		/* Enough: a server that ignores Range would send the whole image. */
		r->truncated = true;
		return 0;
	}
	return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct resp *r = arg;
	size_t len = size * n;
	static const char cr[] = "content-range:";
	if (len > 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* A new response (after a redirect): forget the previous one's headers. */
		free(r->content_range);
		r->content_range = NULL;
	} else if (len > sizeof(cr) - 1 && len < 256 && strncasecmp(p, cr, sizeof(cr) - 1) == 0) {
		free(r->content_range);
		char *v = xstrndup(p + sizeof(cr) - 1, len - (sizeof(cr) - 1));
		r->content_range = xstrdup(str_trim(v));
		free(v);
	}
	return len;
}

static void resp_reset(struct resp *r, size_t cap)
{
	free(r->body);
	free(r->content_range);
	memset(r, 0, sizeof(*r));
	r->cap = cap;
}

struct req {
	CURL *h;
	struct curl_slist *connect_to;
	char errbuf[CURL_ERROR_SIZE];
	long timeout;
	struct resp resp;
	long status, redirects;
	char *effective; /* redacted */
};

static void setup(struct req *q, const char *url, long timeout)
{
	q->h = curl_easy_init();
	if (!q->h)
		die_oom();
	q->timeout = timeout;
	CURL *h = q->h;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)MAX_REDIRECTS);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (timeout < 10 ? timeout : 10) * 1000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout * 1000L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "cvmprep/" CVMPREP_VERSION);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, q->errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &q->resp);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &q->resp);
	/* Proxies come from the environment (http_proxy, https_proxy, no_proxy), libcurl's default. */
	const char *ct = getenv("CVMPREP_TEST_CONNECT_TO");
	if (ct && *ct) {
		struct strvec v = STRVEC_INIT;
		str_split(&v, ct, ", ");
		for (size_t i = 0; i < v.n; i++)
			q->connect_to = curl_slist_append(q->connect_to, v.v[i]);
		strvec_clear(&v);
		curl_easy_setopt(h, CURLOPT_CONNECT_TO, q->connect_to);
	}
	const char *ca = getenv("CVMPREP_TEST_CAINFO");
	if (ca && *ca)
		curl_easy_setopt(h, CURLOPT_CAINFO, ca);
}

static void cleanup(struct req *q)
{
	if (q->h)
		curl_easy_cleanup(q->h);
	curl_slist_free_all(q->connect_to);
	resp_reset(&q->resp, 0);
	free(q->effective);
	memset(q, 0, sizeof(*q));
}

/* One request; *range NULL for the whole object, nobody for HEAD. Returns libcurl's result. */
static CURLcode perform(struct req *q, bool nobody, const char *range, size_t cap)
{
	resp_reset(&q->resp, cap);
	q->errbuf[0] = 0;
	curl_easy_setopt(q->h, CURLOPT_NOBODY, nobody ? 1L : 0L);
	if (!nobody)
		curl_easy_setopt(q->h, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(q->h, CURLOPT_RANGE, range);
	CURLcode rc = curl_easy_perform(q->h);
	q->status = 0;
	curl_easy_getinfo(q->h, CURLINFO_RESPONSE_CODE, &q->status);
	curl_easy_getinfo(q->h, CURLINFO_REDIRECT_COUNT, &q->redirects);
	char *eff = NULL;
	free(q->effective);
	q->effective = NULL;
	if (curl_easy_getinfo(q->h, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff)
		q->effective = url_redact(eff);
	if (rc == CURLE_WRITE_ERROR && q->resp.truncated)
		rc = CURLE_OK;
	return rc;
}

static char *error_text(const struct req *q, CURLcode rc)
{
	const char *msg = q->errbuf[0] ? q->errbuf : curl_easy_strerror(rc);
	char *red = url_redact(msg);
	char *out = rc == CURLE_OPERATION_TIMEDOUT ? xasprintf("%s (timeout %ld s)", red, q->timeout) : xstrdup(red);
	free(red);
	return out;
}

static void net_fail(struct url_facts *f, const struct req *q, CURLcode rc)
{
	f->net_failed = true;
	free(f->net_reason);
	f->net_reason = error_text(q, rc);
}

/* "bytes 0-65535/123456" or "bytes (star)/123456": the total, when given. */
static bool content_range_total(const char *cr, uint64_t *total)
{
	if (!cr)
		return false;
	const char *slash = strrchr(cr, '/');
	if (!slash || slash[1] == '*')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(slash + 1, &end, 10);
	if (errno || end == slash + 1)
		return false;
	*total = v;
	return true;
}

static void read_error_body(struct url_facts *f, const struct resp *r)
{
	if (!r->body || !r->len)
		return;
	const char *b = (const char *)r->body;
	free(f->cos_code);
	free(f->cos_message);
	free(f->cos_request_id);
	f->cos_code = cos_xml_value(b, r->len, "Code");
	f->cos_message = cos_xml_value(b, r->len, "Message");
	f->cos_request_id = cos_xml_value(b, r->len, "RequestId");
}

static void fetch_bytes(struct url_facts *f, struct req *q, uint64_t size, bool size_known)
{
	char range[64];
	snprintf(range, sizeof(range), "0-%d", IMG_HEAD_BYTES - 1);
	CURLcode rc = perform(q, false, range, IMG_HEAD_BYTES);
	if (rc != CURLE_OK) {
		net_fail(f, q, rc);
		f->img.unread_reason = xasprintf("the first bytes could not be fetched: %s", f->net_reason);
		return;
	}
	uint64_t total = size;
	bool known = size_known;
	if (q->status == 206) {
		known = content_range_total(q->resp.content_range, &total) || known;
	} else if (q->status == 416) {
		uint64_t t;
		const char *cr = q->resp.content_range;
		if (cr && strrchr(cr, '/') && content_range_total(cr, &t) && t == 0) {
			image_facts_from_bytes(NULL, 0, NULL, 0, 0, true, &f->img);
			return;
		}
		if (size_known && size == 0) {
			image_facts_from_bytes(NULL, 0, NULL, 0, 0, true, &f->img);
			return;
		}
		f->img.unread_reason = xasprintf("the server refused the range request (HTTP 416, Content-Range: %s)",
						 cr ? cr : "none");
		return;
	} else if (q->status != 200) {
		f->img.unread_reason = xasprintf("the range request got HTTP %ld", q->status);
		return;
	}
	size_t hl = q->resp.len;
	uint8_t *head = q->resp.body;
	q->resp.body = NULL;
	uint8_t tail[IMG_TAIL_BYTES];
	size_t tl = 0;
	if (known && total > hl && total >= IMG_TAIL_BYTES) {
		snprintf(range, sizeof(range), "%llu-%llu", (unsigned long long)(total - IMG_TAIL_BYTES),
			 (unsigned long long)(total - 1));
		rc = perform(q, false, range, IMG_TAIL_BYTES);
		if (rc != CURLE_OK) {
			net_fail(f, q, rc);
		} else if (q->status == 206 && q->resp.len == IMG_TAIL_BYTES) {
			memcpy(tail, q->resp.body, IMG_TAIL_BYTES);
			tl = IMG_TAIL_BYTES;
		}
	} else if (hl >= IMG_TAIL_BYTES && (!known || total == hl)) {
		memcpy(tail, head + hl - IMG_TAIL_BYTES, IMG_TAIL_BYTES);
		tl = IMG_TAIL_BYTES;
	}
	image_facts_from_bytes(head, hl, tl ? tail : NULL, tl, total, known, &f->img);
	if (!tl && known && total > hl)
		strvec_pushf(&f->img.info.notes, "the last 512 bytes could not be fetched: a fixed vhd would look like raw");
	free(head);
}

int url_fetch(struct url_facts *f, long timeout_s)
{
	if (!f->request_url)
		return -EINVAL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		f->skip_reason = xstrdup("libcurl could not be initialised");
		return -EIO;
	}
	struct req q;
	memset(&q, 0, sizeof(q));
	setup(&q, f->request_url, timeout_s);
	f->fetched = true;
	f->method = "HEAD";
	CURLcode rc = perform(&q, true, NULL, 0);
	f->redirects = q.redirects;
	if (q.redirects && q.effective) {
		free(f->final_url);
		f->final_url = xstrdup(q.effective);
	}
	if (rc == CURLE_TOO_MANY_REDIRECTS) {
		f->redirect_loop = true;
		f->redirects = MAX_REDIRECTS;
		f->img.unread_reason = xstrdup("the object could not be reached (see url.readable)");
		goto out;
	}
	if (rc != CURLE_OK) {
		net_fail(f, &q, rc);
		f->img.unread_reason = xasprintf("no answer: %s", f->net_reason);
		goto out;
	}
	f->status = q.status;
	curl_off_t cl = -1;
	curl_easy_getinfo(q.h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
	bool size_known = cl >= 0 && q.status >= 200 && q.status < 300;
	uint64_t size = size_known ? (uint64_t)cl : 0;

	if (q.status == 405 || q.status == 501) {
		/* HEAD refused: ask for one byte instead. */
		f->head_status = q.status;
		f->method = "GET";
		rc = perform(&q, false, "0-0", ERROR_BODY_MAX);
		if (rc != CURLE_OK) {
			net_fail(f, &q, rc);
			f->img.unread_reason = xasprintf("no answer: %s", f->net_reason);
			goto out;
		}
		f->status = q.status;
		uint64_t t;
		if (q.status == 206 && content_range_total(q.resp.content_range, &t)) {
			size = t;
			size_known = true;
		}
	}
	if (f->status >= 400) {
		/* HEAD has no body: a small GET brings COS's XML error with its code. */
		if (f->method[0] == 'H')
			rc = perform(&q, false, "0-0", ERROR_BODY_MAX);
		if (rc == CURLE_OK)
			read_error_body(f, &q.resp);
		f->img.unread_reason = xstrdup("the object could not be read (see url.readable)");
		goto out;
	}
	if (f->status < 200 || f->status >= 300) {
		f->img.unread_reason = xasprintf("the object could not be read (HTTP %ld)", f->status);
		goto out;
	}
	fetch_bytes(f, &q, size, size_known);
out:
	cleanup(&q);
	curl_global_cleanup();
	return f->net_failed ? -EHOSTUNREACH : 0;
}
