build/obj/linux/platform.o: linux/platform.c agent/check.h agent/report.h \
 agent/util.h agent/ctx.h agent/config.h agent/facts.h agent/rootfs.h \
 agent/platform.h agent/probes.h agent/ctx.h agent/rules.h agent/check.h \
 agent/banned.h
agent/check.h:
agent/report.h:
agent/util.h:
agent/ctx.h:
agent/config.h:
agent/facts.h:
agent/rootfs.h:
agent/platform.h:
agent/probes.h:
agent/ctx.h:
agent/rules.h:
agent/check.h:
agent/banned.h:
