build/obj/agent/osrelease.o: agent/osrelease.c agent/parse.h \
 agent/facts.h agent/util.h agent/banned.h
agent/parse.h:
agent/facts.h:
agent/util.h:
agent/banned.h:
