"""./takt bench net's Linux guest: the NIC's kernel modules (from Debian's kernel
package, dependencies read from each module's .modinfo) and the busybox initramfs that
brings eth0 up and serves the page with httpd. Split from tools/bench_net.py."""
import lzma
import os
import re
import struct

import bench_latency as bl

# The modules Linux needs for the NIC (a PEERS entry's "net_modules" replaces them);
# their dependencies come from their .modinfo.
NET_MODULES = ["virtio_mmio", "virtio_net"]
# busybox applets /init uses, as links in /bin.
APPLETS = ["sh", "mount", "uname", "insmod", "ip", "httpd", "wget", "sleep", "cat"]


def log(msg):
    print("[bench net] " + msg, flush=True)


class Error(Exception):
    pass


# -- Linux's modules ---------------------------------------------------------------------

def ko_bytes(path):
    """A module's ELF bytes; .ko.xz decompressed (busybox insmod takes plain ELF)."""
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".xz"):
        return lzma.decompress(data)
    if path.endswith(".zst") or path.endswith(".gz"):
        raise Error("%s: compressed modules other than .xz are not handled" % path)
    return data


def modinfo(elf):
    """The .modinfo section of a 64-bit little-endian module as {key: [values]}."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        raise Error("not a 64-bit little-endian ELF module")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)

    def sh(i):
        name, _, _, _, off, size = struct.unpack_from("<IIQQQQ", elf, shoff + i * shentsize)
        return name, off, size
    stroff = sh(shstrndx)[1]
    info = {}
    for i in range(shnum):
        name, off, size = sh(i)
        if elf[stroff + name:elf.index(b"\0", stroff + name)] == b".modinfo":
            for item in elf[off:off + size].split(b"\0"):
                k, sep, v = item.decode("utf-8", "replace").partition("=")
                if sep:
                    info.setdefault(k, []).append(v)
    return info


def modules_for(kroot, wanted):
    """[(name, ELF bytes)] for the wanted modules and their dependencies, dependencies
    first; a name that is built in (modules.builtin) is skipped."""
    mdir = os.path.join(kroot, "lib", "modules")
    vers = os.listdir(mdir)
    if len(vers) != 1:
        raise Error("expected one kernel version in %s, found %s" % (mdir, vers))
    base = os.path.join(mdir, vers[0])
    index = {}
    for d, _, files in os.walk(os.path.join(base, "kernel")):
        for f in files:
            m = re.match(r"(.+)\.ko(\.xz|\.zst|\.gz)?$", f)
            if m:
                index[m.group(1).replace("-", "_")] = os.path.join(d, f)
    builtin = set()
    bpath = os.path.join(base, "modules.builtin")
    if os.path.exists(bpath):
        with open(bpath) as f:
            builtin = {re.sub(r"\.ko$", "", os.path.basename(line.strip())).replace("-", "_")
                       for line in f if line.strip()}
    order, seen = [], set()

    def visit(name, chain):
        if name in seen or name in builtin:
            return
        if name in chain:
            raise Error("module dependency loop: %s" % " -> ".join(chain + [name]))
        if name not in index:
            raise Error("module %s is neither in %s nor built in" % (name, base))
        data = ko_bytes(index[name])
        for dep in ",".join(modinfo(data).get("depends", [])).split(","):
            if dep:
                visit(dep.replace("-", "_"), chain + [name])
        seen.add(name)
        order.append((name, data))
    for w in wanted:
        visit(w, [])
    return order


# -- the initramfs ------------------------------------------------------------------------

def initramfs(kroot, uroot, page, path, net_modules=NET_MODULES):
    """busybox, the NIC's modules, /www/index.html and an /init that brings eth0 up the
    way QEMU's user network expects (10.0.2.15/24, gateway 10.0.2.2) and starts httpd."""
    mods = modules_for(kroot, net_modules)
    c = bl.Cpio()
    for d in ("bin", "dev", "proc", "sys", "tmp", "lib", "lib/modules", "www"):
        c.dir(d)
    c.chardev("dev/console", 5, 1)
    c.chardev("dev/null", 1, 3)
    with open(os.path.join(uroot, "bin", "busybox"), "rb") as f:
        c.file("bin/busybox", f.read())
    for a in APPLETS:
        c.symlink("bin/" + a, "busybox")
    for name, data in mods:
        c.file("lib/modules/%s.ko" % name, data, 0o644)
    c.file("www/index.html", page, 0o644)
    insmods = "".join("insmod /lib/modules/%s.ko || echo '=== insmod %s failed'\n"
                      % (n, n) for n, _ in mods)
    init = ("#!/bin/sh\n"
            "export PATH=/bin\n"
            "mount -t proc proc /proc\n"
            "mount -t sysfs sysfs /sys\n"
            "mount -t devtmpfs devtmpfs /dev 2>/dev/null\n"
            "echo \"=== linux $(uname -r)\"\n"
            + insmods +
            "i=0\n"
            "while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 200 ]; do sleep 0.05; "
            "i=$((i+1)); done\n"
            "[ -e /sys/class/net/eth0 ] || echo '=== no eth0'\n"
            "ip link set lo up\n"
            "ip link set eth0 up\n"
            "ip addr add 10.0.2.15/24 dev eth0\n"
            "ip route add default via 10.0.2.2\n"
            "httpd -f -p 80 -h /www &\n"
            # Ready once httpd answers inside the guest.
            "i=0\n"
            "while ! wget -q -O /dev/null http://127.0.0.1/ && [ $i -lt 100 ]; do "
            "sleep 0.1; i=$((i+1)); done\n"
            "echo \"=== net ready $(cat /sys/class/net/eth0/address 2>/dev/null)\"\n"
            "while true; do sleep 3600; done\n")
    c.file("init", init.encode())
    with open(path, "wb") as f:
        f.write(c.bytes())
    return path, [n for n, _ in mods]
