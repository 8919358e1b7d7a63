build/obj/linux/probe_files.o: linux/probe_files.c agent/dpkg.h \
 agent/parse.h agent/facts.h agent/util.h agent/probes.h agent/ctx.h \
 agent/config.h agent/report.h agent/rootfs.h agent/banned.h
agent/dpkg.h:
agent/parse.h:
agent/facts.h:
agent/util.h:
agent/probes.h:
agent/ctx.h:
agent/config.h:
agent/report.h:
agent/rootfs.h:
agent/banned.h:
