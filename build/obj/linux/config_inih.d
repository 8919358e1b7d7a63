build/obj/linux/config_inih.o: linux/config_inih.c agent/config.h \
 agent/util.h agent/banned.h
agent/config.h:
agent/util.h:
agent/banned.h:
