/*
 * url-check: what is known about a COS URL (its parts, the COS host pattern, signature
 * parameters, the answers of anonymous requests, the first and last bytes of the object), the
 * pure rules over it, and the redaction every printed URL goes through. The HTTP side is the
 * platform's (linux/url_curl.c with libcurl; the Windows build has none).
 */
#ifndef CVMPREP_URLCHECK_H
#define CVMPREP_URLCHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "imagecheck.h"
#include "report.h"

/* <bucket>-<appid>.cos.<region>.myqcloud.com */
struct cos_host {
	bool ok;
	char *bucket, *appid, *region;
	char *problem; /* why the host is not a regional COS endpoint, when !ok */
};

enum region_kind { REGION_UNKNOWN = 0, REGION_MAINLAND, REGION_FINANCE, REGION_OUTSIDE };

struct url_facts {
	char *shown; /* the URL as every output shows it: signatures and passwords redacted */

	/* The URL's parts, from libcurl's URL parser. */
	bool parsed;
	char *parse_error;
	char *scheme, *host, *port; /* port NULL when not given */
	struct strvec sign_params;  /* signature or token query parameters present (names) */
	char *request_url;          /* the URL without them, as requested (never printed) */

	struct cos_host cos;

	const char *target_region; /* --region or the configuration's [target] region, or NULL */
	const char *target_source; /* "--region" or the configuration file's path */

	/* The anonymous requests. */
	bool fetched;          /* requests were made (else skip_reason says why not) */
	char *skip_reason;
	bool net_failed;       /* the host could not be reached or did not answer in time */
	char *net_reason;
	long status;           /* final HTTP status of the readability probe */
	const char *method;    /* the request that gave it: "HEAD" or "GET" */
	long head_status;      /* when HEAD was refused and a ranged GET used instead */
	bool redirect_loop;
	long redirects;
	char *final_url;       /* redacted, when redirected */
	char *cos_code, *cos_message, *cos_request_id; /* from COS's XML error body */
	char *content_type;

	/* The object's first and last bytes, read with range requests. */
	struct image_facts img;
};

void url_facts_free(struct url_facts *f);

/* Platform: parse url with libcurl's URL API into f (parts, signature parameters, request_url). */
int url_parse(const char *url, struct url_facts *f);
/* Platform: the anonymous requests (HEAD, ranged GETs) against f->request_url. -ENOSYS without an HTTP client. */
int url_fetch(struct url_facts *f, long timeout_s);

/* ---- portable pieces ---- */

/* Is this (decoded) query parameter name a COS/S3 signature or security token? */
bool url_param_is_signature(const char *name);
/* The query parameters of query ("a=1&b=2") that are signatures or tokens, appended to names. */
void url_query_signature_params(const char *query, struct strvec *names);
/* query without its signature and token parameters (possibly ""). */
char *url_query_strip_signature(const char *query);
/*
 * Text with the value of every signature or token parameter of every URL in it replaced by
 * "REDACTED", and any user:password@ password too. Safe for any string.
 */
char *url_redact(const char *s);

/* Parse a host name against the COS pattern. Always fills out (free with cos_host_free). */
void cos_parse_host(const char *host, struct cos_host *out);
void cos_host_free(struct cos_host *h);
enum region_kind cos_region_kind(const char *region);

/* The identity, format and partition table from the bytes fetched (head, tail, object size). */
void image_facts_from_bytes(const uint8_t *head, size_t head_len, const uint8_t *tail, size_t tail_len,
			    uint64_t total, bool total_known, struct image_facts *f);

/* Pure rules. */
void rule_url_cos(const struct url_facts *f, const struct check *c, struct report *r);
void rule_url_signature(const struct url_facts *f, const struct check *c, struct report *r);
void rule_url_region(const struct url_facts *f, const struct check *c, struct report *r);
void rule_url_readable(const struct url_facts *f, const struct check *c, struct report *r);

/* The COS error body: the text of <tag>...</tag> (bounded, printable), or NULL. */
char *cos_xml_value(const char *body, size_t len, const char *tag);

#endif
