build/obj/agent/report.o: agent/report.c agent/report.h agent/util.h \
 agent/check.h agent/banned.h
agent/report.h:
agent/util.h:
agent/check.h:
agent/banned.h:
