/* What generalization resets: machine ID, SSH host keys, DHCP leases and shell histories. */
#include <stdlib.h>
#include <string.h>

#include "probes.h"
#include "banned.h"

static void collect(struct ctx *ctx, const char *dir, const char *prefix, const char *suffix, struct strvec *out)
{
	struct strvec names = STRVEC_INIT;
	if (rootfs_list(ctx->rfs, dir, &names) == 0) {
		for (size_t i = 0; i < names.n; i++) {
			if ((prefix && !str_starts_with(names.v[i], prefix)) || (suffix && !str_ends_with(names.v[i], suffix)))
				continue;
			char *p = xasprintf("%s/%s", dir, names.v[i]);
			struct rootfs_stat st;
			if (rootfs_stat(ctx->rfs, p, false, &st) == 0 && st.type == RFT_REG)
				strvec_push_nodup(out, p);
			else
				free(p);
		}
	}
	strvec_clear(&names);
}

static const char *const histories[] = { ".bash_history", ".zsh_history", ".ash_history", ".python_history",
					 ".mysql_history", ".lesshst", ".psql_history" };

static void home_histories(struct ctx *ctx, const char *home, struct strvec *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(histories); i++) {
		char *p = xasprintf("%s/%s", home, histories[i]);
		struct rootfs_stat st;
		if (rootfs_stat(ctx->rfs, p, false, &st) == 0 && st.type == RFT_REG)
			strvec_push_nodup(out, p);
		else
			free(p);
	}
}

void probe_generalize(struct ctx *ctx, struct facts *f)
{
	struct generalize_facts *g = &f->generalize;
	if (g->s.state != FS_UNPROBED)
		return;
	struct rootfs_stat st;
	g->machine_id_path = xstrdup("/etc/machine-id");
	g->machine_id_set = rootfs_stat(ctx->rfs, "/etc/machine-id", true, &st) == 0 && st.type == RFT_REG && st.size > 0;
	if (rootfs_stat(ctx->rfs, "/var/lib/dbus/machine-id", false, &st) == 0 && st.type == RFT_REG)
		strvec_push(&g->dbus_machine_id, "/var/lib/dbus/machine-id");
	collect(ctx, "/etc/ssh", "ssh_host_", NULL, &g->ssh_keys);
	collect(ctx, "/var/lib/dhcp", NULL, ".leases", &g->leases);
	collect(ctx, "/var/lib/dhclient", NULL, ".lease", &g->leases);
	collect(ctx, "/var/lib/dhclient", NULL, ".leases", &g->leases);
	collect(ctx, "/var/lib/NetworkManager", NULL, ".lease", &g->leases);
	collect(ctx, "/var/lib/wicked", "lease", NULL, &g->leases);
	home_histories(ctx, "/root", &g->histories);
	struct strvec homes = STRVEC_INIT;
	if (rootfs_list(ctx->rfs, "/home", &homes) == 0)
		for (size_t i = 0; i < homes.n; i++) {
			char *h = xasprintf("/home/%s", homes.v[i]);
			if (rootfs_is_dir(ctx->rfs, h))
				home_histories(ctx, h, &g->histories);
			free(h);
		}
	strvec_clear(&homes);
	section_set(&g->s, FS_OK, NULL, NULL);
}
