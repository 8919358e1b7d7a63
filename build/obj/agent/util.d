build/obj/agent/util.o: agent/util.c agent/util.h agent/banned.h
agent/util.h:
agent/banned.h:
