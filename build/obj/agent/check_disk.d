build/obj/agent/check_disk.o: agent/check_disk.c agent/probes.h \
 agent/ctx.h agent/config.h agent/util.h agent/facts.h agent/report.h \
 agent/rootfs.h agent/rules.h agent/check.h agent/banned.h
agent/probes.h:
agent/ctx.h:
agent/config.h:
agent/util.h:
agent/facts.h:
agent/report.h:
agent/rootfs.h:
agent/rules.h:
agent/check.h:
agent/banned.h:
