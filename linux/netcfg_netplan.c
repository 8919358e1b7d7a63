/* netplan files through the libyaml loader (netplan itself reads them with libyaml). */
#include <string.h>

#include "netcfg.h"
#include "ydoc.h"
#include "banned.h"

int nc_parse_netplan(const char *path, const char *data, size_t len, struct nc_file *out)
{
	struct ydoc doc;
	struct yerr err;
	ydoc_load(data ? data : "", data ? len : 0, &doc, &err);
	int r = nc_netplan_from_doc(path, &doc, &err, out);
	ydoc_free(&doc);
	yerr_free(&err);
	return r;
}
