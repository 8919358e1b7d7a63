build/obj/agent/dpkg.o: agent/dpkg.c agent/dpkg.h agent/parse.h \
 agent/facts.h agent/util.h agent/banned.h
agent/dpkg.h:
agent/parse.h:
agent/facts.h:
agent/util.h:
agent/banned.h:
