build/obj/linux/rootfs.o: linux/rootfs.c agent/rootfs.h agent/util.h \
 agent/banned.h
agent/rootfs.h:
agent/util.h:
agent/banned.h:
