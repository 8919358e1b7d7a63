build/obj/agent/facts.o: agent/facts.c agent/facts.h agent/util.h \
 agent/banned.h
agent/facts.h:
agent/util.h:
agent/banned.h:
