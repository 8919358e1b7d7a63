/* url-check on Windows: this build has no HTTP client (no libcurl), so the command says so and exits 69. */
#include <errno.h>

#include "urlcheck.h"
#include "banned.h"

int url_parse(const char *url, struct url_facts *f)
{
	(void)url;
	(void)f;
	return -ENOSYS;
}

int url_fetch(struct url_facts *f, long timeout_s)
{
	(void)f;
	(void)timeout_s;
	return -ENOSYS;
}
