#!/usr/bin/env python3
"""What cloud-init itself computes in the tree it runs in (run in the chroot, with the target's
python3 and cloud-init; /run is the chroot's own tmpfs). One JSON object on stdout.

Without an argument: the configuration as stages.Init().read_cfg() merges cloud.cfg,
cloud.cfg.d/*.cfg, /run/cloud-init/cloud.cfg and the kernel command line (DEBUG_PROC_CMDLINE
stands for it, so that the host's never counts): "datasource_list" is the list cloud-init then
walks (stages.Init._get_datasources: the merged value, or [] when it is unset or null), "merged"
the value as merged, "network_config" the network: config key, "renderer" the network renderer
cloud-init would choose.

"units" is what `systemctl is-enabled` says of cloud-init's four units.

With "visible" or "hidden", then also "boot": cloud-init's own systemd generator, as systemd runs
it at the first boot on CVM (KVM, Tencent's DMI strings, no kernel arguments), with the config
drive (an iso9660 filesystem labelled config-2 on /dev/sr0) visible to blkid or not yet (its
CD-ROM driver not loaded). The generator reads the marker files and the kernel command line and
runs ds-identify; "generator" is "enabled" when it links cloud-init.target (cloud-init runs at
that boot), "ds_identify" is ds-identify's verdict where it ran, "ds_identify_cfg" what it wrote
to /run/cloud-init/cloud.cfg, and "datasource_list" the list cloud-init's merge then gives.
"""
import json
import os
import subprocess
import sys

# cloud-init's modules log to stderr; only the JSON goes to stdout.
from cloudinit import stages
from cloudinit.net import renderers

os.environ.setdefault("DEBUG_PROC_CMDLINE", "")


def merged():
    init = stages.Init()
    init.read_cfg()
    return init.cfg


cfg = merged()
net = cfg.get("network")
priority = ((cfg.get("system_info") or {}).get("network") or {}).get("renderers")
try:
    renderer = renderers.select(priority=priority)[0]
except Exception as e:  # noqa: BLE001 - no renderer available is an answer too
    renderer = "none: %s" % e
units = ("cloud-init-local.service", "cloud-init.service", "cloud-config.service", "cloud-final.service")
r = subprocess.run(["systemctl", "is-enabled"] + list(units), capture_output=True, text=True)
out = {
    "units": dict(zip(units, r.stdout.split())),
    "datasource_list": cfg.get("datasource_list") or [],
    "merged": cfg.get("datasource_list"),
    "network_config": net.get("config") if isinstance(net, dict) else None,
    "renderer": renderer,
}

if len(sys.argv) > 1:
    visible = sys.argv[1] == "visible"
    fake = "/run/cvmprep-test"
    for d in ("bin", "dmi", "block", "disk", "hypervisor"):
        os.makedirs(os.path.join(fake, d), exist_ok=True)
    os.makedirs("/run/systemd", exist_ok=True)  # ds-identify asks systemd-detect-virt only then
    dmi = {"sys_vendor": "Tencent Cloud", "product_name": "CVM", "board_name": "", "chassis_asset_tag": "",
           "product_serial": "4f3c2b1a-0000-4000-8000-000000000001",
           "product_uuid": "4f3c2b1a-0000-4000-8000-000000000001"}
    for k, v in dmi.items():
        with open(os.path.join(fake, "dmi", k), "w") as f:
            f.write(v + "\n")
    devices = "DEVNAME=/dev/vda1\nUUID=6c0a6b1e-5f0e-4c2a-9d5e-1b2c3d4e5f60\nBLOCK_SIZE=4096\nTYPE=ext4\nPARTUUID=0c0ffee0-01\n"
    if visible:
        devices += "\nDEVNAME=/dev/sr0\nBLOCK_SIZE=2048\nUUID=2024-03-01-10-00-00-00\nLABEL=config-2\nTYPE=iso9660\n"
    scripts = {"blkid": "#!/bin/sh\ncat <<'EOF'\n%sEOF\n" % devices,
               "systemd-detect-virt": "#!/bin/sh\necho kvm\n"}
    for name, text in scripts.items():
        p = os.path.join(fake, "bin", name)
        with open(p, "w") as f:
            f.write(text)
        os.chmod(p, 0o755)
    for name, text in (("cmdline", "BOOT_IMAGE=/boot/vmlinuz root=UUID=6c0a6b1e ro\n"), ("1-cmdline", "/sbin/init\0"),
                       ("1-environ", ""), ("uptime", "5.00 5.00\n")):
        with open(os.path.join(fake, name), "w") as f:
            f.write(text)
    env = {"PATH": fake + "/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C", "DI_LOG": "stderr",
           "PATH_SYS_CLASS_DMI_ID": fake + "/dmi", "PATH_SYS_HYPERVISOR": fake + "/hypervisor",
           "PATH_SYS_CLASS_BLOCK": fake + "/block", "PATH_DEV_DISK": fake + "/disk",
           "PATH_PROC_CMDLINE": fake + "/cmdline", "PATH_PROC_1_CMDLINE": fake + "/1-cmdline",
           "PATH_PROC_1_ENVIRON": fake + "/1-environ", "PATH_PROC_UPTIME": fake + "/uptime"}
    # The generator's own switch for the kernel command line: the one the test gives cloud-init.
    env["KERNEL_CMDLINE"] = os.environ.get("DEBUG_PROC_CMDLINE", "")
    gen = None
    for d in ("/lib/systemd/system-generators", "/usr/lib/systemd/system-generators"):
        if os.path.exists(d + "/cloud-init-generator"):
            gen = d + "/cloud-init-generator"
            break
    outdirs = [fake + "/gen-normal", fake + "/gen-early", fake + "/gen-late"]
    r = subprocess.run([gen] + outdirs, env=env, capture_output=True, text=True) if gen else None
    linked = os.path.lexists(outdirs[1] + "/multi-user.target.wants/cloud-init.target")
    boot = {"config_drive": "visible" if visible else "hidden",
            "generator": "enabled" if linked else ("disabled" if gen else "missing")}
    try:
        with open("/run/cloud-init/.ds-identify.result") as f:
            rc = f.read().strip()
        boot["ds_identify"] = {"0": "enabled", "1": "disabled"}.get(rc, "exit " + rc)
    except OSError:
        boot["ds_identify"] = "did not run"
    try:
        with open("/run/cloud-init/cloud.cfg") as f:
            boot["ds_identify_cfg"] = f.read().strip()
    except OSError:
        boot["ds_identify_cfg"] = None
    boot["datasource_list"] = merged().get("datasource_list") or []
    out["boot"] = boot

print(json.dumps(out))
