build/obj/linux/probe_disk.o: linux/probe_disk.c \
 /usr/include/blkid/blkid.h agent/parse.h agent/facts.h agent/util.h \
 agent/probes.h agent/ctx.h agent/config.h agent/report.h agent/rootfs.h \
 agent/banned.h
/usr/include/blkid/blkid.h:
agent/parse.h:
agent/facts.h:
agent/util.h:
agent/probes.h:
agent/ctx.h:
agent/config.h:
agent/report.h:
agent/rootfs.h:
agent/banned.h:
