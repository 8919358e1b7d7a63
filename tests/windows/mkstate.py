#!/usr/bin/env python3
"""Lay out a Windows system state in a Wine prefix for tests/windows/run.sh.

Writes a registry file (version 5, UTF-16 as regedit writes them, for `wine reg import`) to stdout and creates the files the state needs
under DRIVE_C (the prefix's drive_c). Every call starts from a reset: the keys and files any
earlier state made are removed first, so states do not leak into each other.

  mkstate.py DRIVE_C VERSION [drivers=missing|staged|bootcritical] [cbinit=none|default|tencent|messy]
             [power=on|off] [dhcp=GUID,...] [static=GUID] [bcd=none|bios|uefi] [pending=0|1] [tools=0|1]

VERSION is 2008r2, 2012r2 or 2016: the version Wine reports (RtlGetVersion reads these keys once
HKCU\\Software\\Wine has no Version of its own) and what the driver store looks like on it.
"""
import os
import shutil
import sys
import zlib

VERSIONS = {
    "2008r2": ("6.1", "7601", "Windows Server 2008 R2 Datacenter", "2k8R2"),
    "2012r2": ("6.3", "9600", "Windows Server 2012 R2 Datacenter", "2k12R2"),
    "2016": ("10.0", "14393", "Windows Server 2016 Datacenter", "2k16"),
}
SVC = r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services"
CTL = r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control"
DDB = r"HKEY_LOCAL_MACHINE\SYSTEM\DriverDatabase"
CB = r"C:\Program Files\Cloudbase Solutions\Cloudbase-Init"
HERE = os.path.dirname(os.path.abspath(__file__))
IDS = {"viostor": ["VEN_1AF4&DEV_1001&SUBSYS_00021AF4&REV_00", "VEN_1AF4&DEV_1042&SUBSYS_11001AF4&REV_01"],
       "netkvm": ["VEN_1AF4&DEV_1000&SUBSYS_00011AF4&REV_00", "VEN_1AF4&DEV_1041&SUBSYS_11001AF4&REV_01"]}


def inf_text(drv):
    cls, guid = (("SCSIAdapter", "{4D36E97B-E325-11CE-BFC1-08002BE10318}") if drv == "viostor"
                 else ("Net", "{4D36E972-E325-11CE-BFC1-08002BE10318}"))
    ids = ", ".join(["PCI\\" + i for i in IDS[drv]] + ["PCI\\" + i.split("&SUBSYS")[0] for i in IDS[drv]])
    return ("[Version]\r\nSignature=\"$WINDOWS NT$\"\r\nClass=%s\r\nClassGuid=%s\r\nProvider=%%VENDOR%%\r\n"
            "CatalogFile=%s.cat\r\n\r\n[Manufacturer]\r\n%%VENDOR%%=Standard,NTamd64\r\n\r\n"
            "[Standard.NTamd64]\r\n%%Desc%% = inst, %s\r\n\r\n[Strings]\r\nVENDOR = \"cvmprep tests\"\r\n"
            "Desc = \"virtio %s (test package)\"\r\n") % (cls, guid, drv, ids, drv)


def sys_bytes(drv):
    return b"MZ" + (" test %s driver " % drv).encode() + bytes(range(32))


def regstr(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def hexbytes(b):
    return ",".join("%02x" % x for x in b)


def multi(items):
    data = b"".join(i.encode("utf-16-le") + b"\0\0" for i in items) + b"\0\0"
    return "hex(7):" + hexbytes(data)


def expand(s):
    return "hex(2):" + hexbytes(s.encode("utf-16-le") + b"\0\0")


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def winpath(drive_c, p):
    assert p[:3].upper() == "C:\\"
    return os.path.join(drive_c, *p[3:].split("\\"))


def main():
    drive_c, version = sys.argv[1], sys.argv[2]
    opts = dict(a.split("=", 1) for a in sys.argv[3:])
    cur, build, product, osdir = VERSIONS[version]
    ddb = version != "2008r2"
    out = ["Windows Registry Editor Version 5.00", ""]

    def key(k, *values):
        out.append("[%s]" % k)
        out.extend(values)
        out.append("")

    # ---- reset: what any state may have made ----
    for k in [SVC + "\\viostor", SVC + "\\vioscsi", SVC + "\\netkvm", SVC + "\\cloudbase-init",
              CTL + "\\CriticalDeviceDatabase", DDB, CTL + "\\Power", CTL + r"\Session Manager\Power",
              SVC + r"\Tcpip\Parameters\Interfaces", r"HKEY_LOCAL_MACHINE\BCD00000000",
              r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\SystemCertificates\TrustedPublisher",
              r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing",
              r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\VMware Tools Test"]:
        out.extend(["[-%s]" % k, ""])
    for d in [r"windows\system32\DriverStore", r"Program Files\Cloudbase Solutions", r"ProgramData\cvmprep\runs"]:
        shutil.rmtree(os.path.join(drive_c, *d.split("\\")), ignore_errors=True)
    for f in ["viostor.sys", "vioscsi.sys", "netkvm.sys"]:
        p = os.path.join(drive_c, "windows", "system32", "drivers", f)
        if os.path.exists(p):
            os.unlink(p)
    infdir = os.path.join(drive_c, "windows", "inf")
    if os.path.isdir(infdir):
        for f in os.listdir(infdir):
            if f.lower().startswith("oem"):
                os.unlink(os.path.join(infdir, f))

    # ---- the version ----
    key(r"HKEY_CURRENT_USER\Software\Wine", '"Version"=-')
    key(r"HKEY_LOCAL_MACHINE\Software\Microsoft\Windows NT\CurrentVersion",
        '"CurrentVersion"=' + regstr(cur), '"CurrentBuildNumber"=' + regstr(build),
        '"CurrentBuild"=' + regstr(build), '"ProductName"=' + regstr(product), '"CSDVersion"=""')
    key(CTL + r"\ProductOptions", '"ProductType"="ServerNT"')
    # What every such system has: an unrelated critical device (2008 R2) or driver package (2012 and later).
    if ddb:
        key(DDB + r"\DriverPackages\machine.inf_amd64_b2a5f5f4f28b3a74", '"Version"=hex:00,ff,09,00')
        key(DDB + r"\DriverInfFiles\machine.inf", "@=" + multi(["machine.inf_amd64_b2a5f5f4f28b3a74"]))
        key(DDB + r"\DeviceIds\ACPI\PNP0A03", '"machine.inf"=hex:01,ff,00,00')
    else:
        key(CTL + r"\CriticalDeviceDatabase\primary_ide_channel", '"Service"="atapi"',
            '"ClassGUID"="{4D36E96A-E325-11CE-BFC1-08002BE10318}"')

    # ---- virtio drivers ----
    drivers = opts.get("drivers", "missing")
    if drivers in ("staged", "bootcritical"):
        for n, drv in enumerate(["viostor", "netkvm"]):
            inf = inf_text(drv)
            pkg = "%s.inf_amd64_%08x%08x" % (drv, zlib.crc32(inf.encode()), zlib.crc32(drv.encode()))
            oem = "oem%d.inf" % (3 + n)
            store = os.path.join(drive_c, "windows", "system32", "DriverStore", "FileRepository", pkg)
            write(os.path.join(store, drv + ".inf"), inf)
            write(os.path.join(store, drv + ".sys"), sys_bytes(drv))
            write(os.path.join(infdir, oem), inf)
            if ddb:
                key(DDB + "\\DriverPackages\\" + pkg, '"Version"=hex:00,ff,09,00')
                key(DDB + "\\DriverInfFiles\\" + oem, "@=" + multi([pkg]), '"Active"=' + regstr(pkg))
                ids = IDS[drv] + [i.split("&SUBSYS")[0] for i in IDS[drv]]
                # 2012 R2 as an older package left it: the modern (1042) ID is not indexed.
                if version == "2012r2" and drv == "viostor" and drivers == "staged":
                    ids = [i for i in ids if "DEV_1042" not in i]
                for i in ids:
                    key(DDB + "\\DeviceIds\\PCI\\" + i, '"%s"=hex:01,ff,00,00' % oem)
        if drivers == "staged" and version == "2016":
            key(SVC + "\\viostor", '"Type"=dword:00000001', '"Start"=dword:00000003', '"ErrorControl"=dword:00000001',
                '"ImagePath"=' + expand(r"\SystemRoot\System32\drivers\viostor.sys"))
        if drivers == "bootcritical":
            key(SVC + "\\viostor", '"Type"=dword:00000001', '"Start"=dword:00000000', '"ErrorControl"=dword:00000001',
                '"Group"="SCSI miniport"', '"ImagePath"=' + expand(r"system32\drivers\viostor.sys"))
            write(os.path.join(drive_c, "windows", "system32", "drivers", "viostor.sys"), sys_bytes("viostor"))
            if not ddb:
                for dev in ["1001", "1042"]:
                    key(CTL + "\\CriticalDeviceDatabase\\pci#ven_1af4&dev_" + dev, '"Service"="viostor"',
                        '"ClassGUID"="{4D36E97B-E325-11CE-BFC1-08002BE10318}"')

    # ---- cloudbase-init ----
    cb = opts.get("cbinit", "none")
    if cb != "none":
        image = ('"%s\\bin\\OpenStackService.exe" cloudbase-init "%s\\Python\\Scripts\\cloudbase-init.exe" '
                 '--config-file "%s\\conf\\cloudbase-init.conf"') % (CB, CB, CB)
        account = {"default": r".\cloudbase-init"}.get(cb, "LocalSystem")
        start = 3 if cb == "messy" else 2
        key(SVC + "\\cloudbase-init", '"Type"=dword:00000010', '"Start"=dword:%08x' % start,
            '"ErrorControl"=dword:00000001', '"ImagePath"=' + expand(image), '"ObjectName"=' + regstr(account),
            '"DisplayName"="Cloudbase-Init"')
        conf = winpath(drive_c, CB + r"\conf")
        src = os.path.join(HERE, "fixtures", "cbinit")
        files = {"default": ("default.conf", "default-unattend.conf"), "tencent": ("tencent.conf", "tencent-unattend.conf"),
                 "messy": ("messy.conf", None)}[cb]
        for name, target in zip(files, ["cloudbase-init.conf", "cloudbase-init-unattend.conf"]):
            if name:
                os.makedirs(conf, exist_ok=True)
                shutil.copyfile(os.path.join(src, name), os.path.join(conf, target))

    # ---- power, network, boot configuration, pending reboot, guest tools ----
    power = opts.get("power", "off")
    on = 1 if power == "on" else 0
    key(CTL + "\\Power", '"HibernateEnabled"=dword:%08x' % on)
    if version != "2008r2":
        key(CTL + r"\Session Manager\Power", '"HiberbootEnabled"=dword:%08x' % on)
    static = opts.get("static", "")
    for guid in [g for g in opts.get("dhcp", "").split(",") if g]:
        if guid == static:
            key(SVC + r"\Tcpip\Parameters\Interfaces" + "\\" + guid, '"EnableDHCP"=dword:00000000',
                '"IPAddress"=' + multi(["192.168.10.20"]), '"SubnetMask"=' + multi(["255.255.255.0"]))
        else:
            key(SVC + r"\Tcpip\Parameters\Interfaces" + "\\" + guid, '"EnableDHCP"=dword:00000001')
    bcd = opts.get("bcd", "none")
    if bcd != "none":
        entry = "{c2b8a9f8-62a4-11e5-9d70-feff819cdc9f}"
        loader = r"\Windows\system32\winload.efi" if bcd == "uefi" else r"\Windows\system32\winload.exe"
        key(r"HKEY_LOCAL_MACHINE\BCD00000000\Objects\{9dea862c-5cdd-4e70-acc1-f32b344d4795}\Elements\23000003",
            '"Element"=' + regstr(entry))
        key(r"HKEY_LOCAL_MACHINE\BCD00000000\Objects" + "\\" + entry + r"\Elements\12000002", '"Element"=' + regstr(loader))
    if opts.get("pending") == "1":
        key(r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending")
    if opts.get("tools") == "1":
        key(r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\VMware Tools Test",
            '"DisplayName"="VMware Tools"', '"Publisher"="VMware, Inc."')
    sys.stdout.buffer.write(b"\xff\xfe" + ("\r\n".join(out) + "\r\n").encode("utf-16-le"))


if __name__ == "__main__":
    main()
