build/obj/agent/fstab.o: agent/fstab.c agent/parse.h agent/facts.h \
 agent/util.h agent/banned.h
agent/parse.h:
agent/facts.h:
agent/util.h:
agent/banned.h:
