build/obj/agent/check_boot.o: agent/check_boot.c agent/parse.h \
 agent/facts.h agent/util.h agent/probes.h agent/ctx.h agent/config.h \
 agent/report.h agent/rootfs.h agent/rules.h agent/check.h agent/banned.h
agent/parse.h:
agent/facts.h:
agent/util.h:
agent/probes.h:
agent/ctx.h:
agent/config.h:
agent/report.h:
agent/rootfs.h:
agent/rules.h:
agent/check.h:
agent/banned.h:
