build/obj/agent/registry.o: agent/registry.c agent/check.h agent/report.h \
 agent/util.h agent/banned.h
agent/check.h:
agent/report.h:
agent/util.h:
agent/banned.h:
