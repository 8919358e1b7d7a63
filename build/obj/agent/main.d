build/obj/agent/main.o: agent/main.c agent/check.h agent/report.h \
 agent/util.h agent/config.h agent/ctx.h agent/facts.h agent/rootfs.h \
 agent/platform.h agent/version.h agent/banned.h
agent/check.h:
agent/report.h:
agent/util.h:
agent/config.h:
agent/ctx.h:
agent/facts.h:
agent/rootfs.h:
agent/platform.h:
agent/version.h:
agent/banned.h:
