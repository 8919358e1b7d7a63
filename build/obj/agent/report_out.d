build/obj/agent/report_out.o: agent/report_out.c agent/check.h \
 agent/report.h agent/util.h agent/json.h agent/banned.h
agent/check.h:
agent/report.h:
agent/util.h:
agent/json.h:
agent/banned.h:
