build/obj/agent/config.o: agent/config.c agent/config.h agent/util.h \
 agent/banned.h
agent/config.h:
agent/util.h:
agent/banned.h:
