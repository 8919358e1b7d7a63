build/obj/agent/bootcfg.o: agent/bootcfg.c agent/parse.h agent/facts.h \
 agent/util.h agent/banned.h
agent/parse.h:
agent/facts.h:
agent/util.h:
agent/banned.h:
