#!/usr/bin/env python3
"""How the target's own network tools would configure eth0 on CVM (run in the chroot of a
throwaway copy of the tree). First cloud-init, where it is installed and its networking is not
disabled, renders eth0 by DHCP through its distro object, as it does at the instance's first boot
from the config drive's network data (same renderer choice and file names); then the stacks
present are asked: ifupdown's `ifquery --list` (auto and allow-hotplug interfaces, following
`source` lines), netplan's own `netplan generate` (the networkd files it writes under /run).
Prints one line of words, e.g. "rendered=eni ifupdown-eth0=yes"."""
import glob
import os
import subprocess

words = []
try:
    from cloudinit import stages
except ImportError:
    words.append("rendered=none")
else:
    init = stages.Init()
    init.read_cfg()
    net = init.cfg.get("network")
    if isinstance(net, dict) and net.get("config") == "disabled":
        words.append("rendered=disabled")
    else:
        # The v1 form of what the config drive's network_data.json says for the instance's NIC.
        cfg = {"version": 1, "config": [{"type": "physical", "name": "eth0", "mac_address": "52:54:00:c7:00:01",
                                         "subnets": [{"type": "dhcp"}]}]}
        init.distro.apply_network_config(cfg, bring_up=False)
        words.append("rendered=%s" % init.distro._get_renderer().__module__.rsplit(".", 1)[-1])

if os.path.exists("/sbin/ifquery") and os.path.exists("/etc/network/interfaces"):
    names = set()
    for allow in ("auto", "hotplug"):
        r = subprocess.run(["ifquery", "--list", "--allow=" + allow], capture_output=True, text=True)
        if r.returncode != 0:
            words.append("ifquery-failed=%d" % r.returncode)
        names.update(r.stdout.split())
    words.append("ifupdown-eth0=%s" % ("yes" if "eth0" in names else "no"))

if os.path.exists("/usr/sbin/netplan"):
    r = subprocess.run(["netplan", "generate"], capture_output=True, text=True)
    if r.returncode != 0:
        words.append("netplan-generate-failed=%d" % r.returncode)
    eth0 = "no"
    renames = []
    for p in sorted(glob.glob("/run/systemd/network/*")):
        text = open(p).read()
        if p.endswith(".network") and "\nName=eth0\n" in text:
            eth0 = "dhcp" if "DHCP=ipv4" in text or "DHCP=yes" in text else "static"
        if p.endswith(".link"):
            renames += [l.split("=", 1)[1] for l in text.splitlines() if l.startswith("Name=")]
    words.append("netplan-eth0=%s" % eth0)
    words.append("netplan-renames=%s" % (",".join(renames) or "none"))

print(" ".join(words))
