build/obj/agent/json.o: agent/json.c agent/json.h agent/banned.h
agent/json.h:
agent/banned.h:
