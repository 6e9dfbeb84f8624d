"""./takt bench latency: Takt's cyclictest beside Linux PREEMPT_RT's, same QEMU machine.

Runs the same cyclictest parameters (PARAMS) on
  (a) Takt's apps/cyclictest on the board, and
  (b) Debian's PREEMPT_RT kernel (linux-image-rt-arm64 or linux-image-rt-amd64) with
      rt-tests' cyclictest in a busybox initramfs,
in the same QEMU machine (PEERS): for qemu-virt-arm64 `qemu-system-aarch64 -M virt -cpu
cortex-a53 -smp 1 -m 256M`, for qemu-microvm-x86_64 `qemu-system-x86_64 -M microvm -cpu max
-smp 1 -m 256M` (the Linux side with acpi=on,pit=on where Takt's board has them off: see
PEERS; the table's header says so), once under `-icount shift=0,align=off,sleep=off` (one
instruction per virtual ns: repeatable) and REPEATS times without (wall clock: noisy;
medians reported). Prints a side-by-side table (min, avg, p99, max in ns and the
Linux/Takt ratio) and writes build/bench/BOARD-latency.json, BOARD-latency.png and the
console logs as build/bench/latency/BOARD-*.log.

The Linux peer comes at run time: a foreign architecture (arm64 on an amd64 host) is added
to dpkg for the download only (nothing of it is installed), `apt-get download` fetches the
kernel, rt-tests, busybox-static, libc6 and libnuma1 into
${XDG_CACHE_HOME:-~/.cache}/takt/debs/ARCH/ (tools/takt_boardfiles.py; the same kernel
package gives the real boards' DTBs), `dpkg-deb -x` unpacks them into
${XDG_CACHE_HOME:-~/.cache}/takt/peer/ARCH/, and the
initramfs (a cpio newc archive) is written by this file: no root tools, no device nodes
made on the host.
"""
import gzip
import json
import os
import shlex
import statistics
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
import cyclictest_plot  # noqa: E402
import cyclictest_report as ctr  # noqa: E402
import takt_boardfiles as tb  # noqa: E402

PARAMS = ["-m", "-t1", "-p99", "-i1000", "-l2000", "-N", "-v"]
# ./takt bench smp: one pinned thread per CPU (-S), both systems on SMP_CPUS vCPUs, under
# -icount only (QEMU then runs the vCPUs one at a time in turns: both pay that alike).
# The multicore issue's command (no -v): with -v the main thread prints every
# sample live on CPU 0 while the others measure, and under -icount QEMU's
# round-robin vCPUs then make the other CPUs' timers wait for CPU 0's turn
# (on both systems: Linux's CPU 1 showed 1.4 ms); -q prints once, at the end.
SMP_PARAMS = ["-S", "-m", "-p99", "-i1000", "-l2000", "-N", "-q"]
SMP_CPUS = 4
REPEATS = 3
ICOUNT = ["-icount", "shift=0,align=off,sleep=off"]
RUN_TIMEOUT = 300
PEER_PKGS = ["rt-tests", "busybox-static", "libc6", "libnuma1"]
# What rt-tests' cyclictest loads (readelf -d: librt, libpthread, libnuma, libc, ld.so).
COMMON_LIBS = ["libc.so.6", "libm.so.6", "libpthread.so.0", "librt.so.1", "libdl.so.2",
               "libnuma.so.1"]

def cache_root():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "takt", "peer")


# The Linux peer per board: Debian architecture, multiarch directory, the dynamic
# loader and where the ELF interpreter path (readelf -l) puts it, the QEMU command
# (without -kernel/-initrd/-append), the kernel command line, and the machine as the
# table's header names it ("takt_machine" when Takt's board command differs).
PEERS = {
    "qemu-virt-arm64": {
        "arch": "arm64", "multiarch": "aarch64-linux-gnu",
        "ld": "ld-linux-aarch64.so.1", "ld_link": "lib/ld-linux-aarch64.so.1",
        "qemu": ["qemu-system-aarch64", "-M", "virt,gic-version=3", "-cpu", "cortex-a53",
                 "-smp", "1", "-m", "256M", "-nographic", "-no-reboot"],
        "append": "console=ttyAMA0 rdinit=/init quiet",
        "machine": "QEMU -M virt -cpu cortex-a53 -smp 1 -m 256M",
        "takt_machine": None,   # the same command as Takt's board
        "ready": None, "tries": 1,
    },
    # Takt's board (bsp/qemu-microvm-x86_64/board.cmake) is
    #   -M microvm,acpi=off,pic=off,pit=off,rtc=off -cpu max -m 256M -nodefaults
    # booted as a PVH ELF. Debian's vmlinuz is a bzImage: QEMU takes a PVH entry only
    # from an ELF's PVH note (a vmlinux, which the package does not ship; its CONFIG_PVH=y
    # is unreachable through a bzImage), so on microvm the bzImage is booted by microvm's
    # default firmware (qboot, bios-microvm.bin) with the Linux boot protocol through
    # fw_cfg: -kernel/-initrd/-append as on a PC; no -bios, no q35.
    # The machine differs from Takt's in two switches, both needed under TCG (measured with
    # QEMU 7.2 and 6.1.0-*-rt-amd64, each other combination hangs or loses hrtimers):
    #   pit=on   Linux calibrates the TSC and the LAPIC timer against the i8254 (TCG has
    #            no CPUID 0x15 TSC frequency and microvm no HPET); with pit=off it hangs in
    #            early time init. Takt needs no calibration: its DTB gives the frequency.
    #   acpi=on  with acpi=off (qboot's MP table only) and pic=off Linux finds no usable
    #            clock event for oneshot mode: "High resolution timers not available".
    #            acpi=off,pic=on also works, but cannot power off (S5 is ACPI's).
    # pic=off and rtc=off stay as on Takt's board. nokaslr: with KASLR the kernel hangs
    # early under TCG at some load addresses (not all), and a fixed layout keeps the
    # -icount run repeatable.
    "qemu-microvm-x86_64": {
        "arch": "amd64", "multiarch": "x86_64-linux-gnu",
        "ld": "ld-linux-x86-64.so.2", "ld_link": "lib64/ld-linux-x86-64.so.2",
        "qemu": ["qemu-system-x86_64", "-M", "microvm,acpi=on,pic=off,pit=on,rtc=off",
                 "-cpu", "max", "-smp", "1", "-m", "256M", "-nodefaults", "-no-reboot",
                 "-nographic", "-serial", "stdio"],
        "append": "console=ttyS0 rdinit=/init nokaslr quiet",
        # Now and then (about 1 boot in 5 under wall clock, seen with and without KASLR)
        # the kernel stalls in early boot, spinning on jiffies that no longer advance:
        # the i8254 tick is lost under TCG. Such a boot is killed and retried.
        "ready": (b"=== linux", 90), "tries": 4,
        "machine": "QEMU -M microvm -cpu max -smp 1 -m 256M",
        "takt_machine": "Takt: acpi=off,pic=off,pit=off,rtc=off (its board); "
                        "Linux: acpi=on,pit=on,pic=off,rtc=off (TSC/LAPIC calibration, "
                        "hrtimers)",
    },
    # The Raspberry Pi 3 B model, with the same upstream DTB as Takt's board. Linux's
    # console is the PL011 (QEMU's first serial port; its mini-UART driver prints
    # nothing here), Takt's the mini-UART the DT names (the second). raspi3b has 4
    # CPUs: Linux runs on all of them, Takt parks 3. Linux cannot power it off (the
    # PM watchdog driver is a module), so a run ends at the initramfs's exit line.
    "rpi-3b": {
        "arch": "arm64", "multiarch": "aarch64-linux-gnu",
        "ld": "ld-linux-aarch64.so.1", "ld_link": "lib/ld-linux-aarch64.so.1",
        "qemu": ["qemu-system-aarch64", "-M", "raspi3b", "-display", "none",
                 "-audiodev", "none,id=snd0", "-no-reboot", "-serial", "stdio",
                 "-serial", "null", "-dtb",
                 os.path.join(os.path.dirname(cache_root()), "dtbs", "broadcom",
                              "bcm2837-rpi-3-b.dtb")],
        "append": "console=ttyAMA0 rdinit=/init quiet",
        "machine": "QEMU -M raspi3b (4 Cortex-A53, 1 GiB), upstream bcm2837-rpi-3-b.dtb",
        "takt_machine": "Takt: console on the mini-UART (2nd serial port), CPUs 1-3 "
                        "parked; Linux: console on the PL011, all 4 CPUs",
        "ready": None, "tries": 1, "done": b"=== cyclictest exit",
    },
}


def log(msg):
    print("[bench latency] " + msg, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, **kw).stdout


# -- fetching the peer ------------------------------------------------------------------

def apt_update():
    log("apt-get update ...")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    run(sudo + ["apt-get", "update"])


def download(pkgs, arch):
    """The .debs in the set-up cache's CACHE/debs/ARCH (shared with the board DTBs,
    which come from the same kernel package): {pkg: deb path}."""
    tb.ensure_arch(arch, log, apt_update)
    return tb.download(pkgs, arch, tb.debs_dir(os.path.dirname(cache_root()), arch),
                       log, apt_update)


def unpack(deb, dest):
    stamp = os.path.join(dest, ".unpacked-" + os.path.basename(deb))
    if not os.path.exists(stamp):
        os.makedirs(dest, exist_ok=True)
        log("dpkg-deb -x %s" % os.path.basename(deb))
        run(["dpkg-deb", "-x", deb, dest])
        open(stamp, "w").close()
    return dest


def fetch_peer(arch="arm64"):
    """(kernel image path, unpacked root with the user-space packages, kernel package).
    arm64's vmlinuz is a gzipped Image (QEMU's -kernel wants it decompressed); amd64's
    is a bzImage, booted as it is."""
    root = os.path.join(cache_root(), arch)
    kpkg = tb.kernel_package(arch)
    debs = download([kpkg] + PEER_PKGS, arch)
    kroot = unpack(debs[kpkg], os.path.join(root, "kernel"))
    uroot = os.path.join(root, "userland")
    for p in PEER_PKGS:
        unpack(debs[p], uroot)
    boot = os.path.join(kroot, "boot")
    vmlinuz = [f for f in os.listdir(boot) if f.startswith("vmlinuz-")]
    if not vmlinuz:
        raise RuntimeError("no vmlinuz in %s" % debs[kpkg])
    src = os.path.join(boot, vmlinuz[0])
    with open(src, "rb") as f:
        gz = f.read(2) == b"\x1f\x8b"
    if not gz:
        return src, uroot, kpkg
    image = os.path.join(root, "Image-" + vmlinuz[0][len("vmlinuz-"):])
    if not os.path.exists(image):
        with open(src, "rb") as f:
            data = gzip.decompress(f.read())
        with open(image, "wb") as f:
            f.write(data)
    return image, uroot, kpkg


# -- the initramfs ------------------------------------------------------------------------

class Cpio:
    """A cpio 'newc' archive, as the kernel's initramfs unpacker reads it."""

    def __init__(self):
        self.parts = []
        self.ino = 1

    def add(self, name, mode, data=b"", rdev=(0, 0)):
        name_b = name.encode() + b"\0"
        fields = [self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1],
                  len(name_b), 0]
        self.ino += 1
        hdr = b"070701" + b"".join(b"%08X" % v for v in fields)
        self.parts += [hdr, name_b, b"\0" * ((4 - (len(hdr) + len(name_b)) % 4) % 4),
                       data, b"\0" * ((4 - len(data) % 4) % 4)]

    def dir(self, name):
        self.add(name, 0o040755)

    def file(self, name, data, mode=0o755):
        self.add(name, 0o100000 | mode, data)

    def symlink(self, name, target):
        self.add(name, 0o120777, target.encode())

    def chardev(self, name, major, minor):
        self.add(name, 0o020600, rdev=(major, minor))

    def bytes(self):
        self.add("TRAILER!!!", 0)
        return b"".join(self.parts)


def find_lib(uroot, name, multiarch):
    for d in ("lib/" + multiarch, "usr/lib/" + multiarch):
        p = os.path.join(uroot, d, name)
        if os.path.exists(p):
            return os.path.realpath(p)
    raise RuntimeError("%s is in none of the unpacked packages" % name)


def initramfs(uroot, args, path, peer):
    ma = peer["multiarch"]
    c = Cpio()
    dirs = ["bin", "dev", "proc", "sys", "tmp", "lib", "lib/" + ma, "usr", "usr/bin"]
    if os.path.dirname(peer["ld_link"]) not in dirs:
        dirs.append(os.path.dirname(peer["ld_link"]))
    for d in dirs:
        c.dir(d)
    c.chardev("dev/console", 5, 1)
    c.chardev("dev/null", 1, 3)
    with open(os.path.join(uroot, "bin", "busybox"), "rb") as f:
        c.file("bin/busybox", f.read())
    c.symlink("bin/sh", "busybox")
    with open(os.path.join(uroot, "usr", "bin", "cyclictest"), "rb") as f:
        c.file("usr/bin/cyclictest", f.read())
    for lib in [peer["ld"]] + COMMON_LIBS:
        with open(find_lib(uroot, lib, ma), "rb") as f:
            c.file("lib/%s/%s" % (ma, lib), f.read())
    # The ELF interpreter path: /lib/ld-linux-aarch64.so.1, /lib64/ld-linux-x86-64.so.2.
    c.symlink(peer["ld_link"], "/lib/%s/%s" % (ma, peer["ld"]))
    init = ("#!/bin/busybox sh\n"
            "/bin/busybox mount -t proc proc /proc\n"
            "/bin/busybox mount -t sysfs sysfs /sys\n"
            "/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null\n"
            "/bin/busybox mkdir -p /dev/shm\n"
            "/bin/busybox mount -t tmpfs tmpfs /dev/shm\n"
            "echo \"=== linux $(/bin/busybox uname -r)\"\n"
            # High-resolution (oneshot) timers come on only once a clocksource valid
            # for them is in use: on x86 the TSC after its refined calibration, about
            # 1 s after boot (tsc-early is not). cyclictest must not start before.
            "i=0\n"
            "while [ $i -lt 200 ] && ! /bin/busybox grep -q 'hres_active *: *1' "
            "/proc/timer_list; do /bin/busybox sleep 0.05; i=$((i+1)); done\n"
            "echo \"=== hres_active $(/bin/busybox grep -c 'hres_active *: *1' "
            "/proc/timer_list) after $i waits\"\n"
            "echo '=== cyclictest %s'\n"
            "/usr/bin/cyclictest %s\n"
            "echo \"=== cyclictest exit $?\"\n"
            "/bin/busybox poweroff -f\n") % (" ".join(args), " ".join(args))
    c.file("init", init.encode())
    with open(path, "wb") as f:
        f.write(c.bytes())
    return path


# -- runs ---------------------------------------------------------------------------------

def boot(cmd, logpath, ready=None, done=None):
    """Run one QEMU boot. With ready=(marker, seconds): give up (rc "stalled") when the
    marker has not been printed that many seconds after the start. With done=marker:
    the run is over (rc 0) once the marker is printed, for a machine Linux cannot
    power off (raspi3b: its power-off is the PM watchdog's module)."""
    t0 = time.monotonic()
    chunks = []
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    reader = threading.Thread(target=lambda: chunks.extend(iter(
        lambda: p.stdout.read1(65536), b"")), daemon=True)
    reader.start()
    rc = None
    while rc is None:
        try:
            rc = p.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            el = time.monotonic() - t0
            if done and done in b"".join(chunks):
                p.kill()
                p.wait()
                rc = 0
                break
            stalled = ready and el > ready[1] and ready[0] not in b"".join(chunks)
            if el > RUN_TIMEOUT or stalled:
                p.kill()
                p.wait()
                rc = "stalled" if stalled else "timeout"
    reader.join(5)
    out = b"".join(chunks).decode("utf-8", "replace")
    with open(logpath, "w") as f:
        f.write("$ %s\n%s" % (shlex.join(cmd), out))
    return out, rc, time.monotonic() - t0


def measure(name, cmd, logpath, ready=None, tries=1, done=None):
    for t in range(tries):
        out, rc, secs = boot(cmd, logpath, ready, done)
        if rc != "stalled":
            break
        log("%s: stalled in early boot (no %r after %d s), try %d/%d"
            % (name, ready[0].decode(), ready[1], t + 1, tries))
    res = ctr.parse(out)
    s = ctr.summarize(res, "ns", name)
    o = s["overall"]
    if rc != 0 or not o or not o.get("count"):
        log("%s: FAILED (exit %s, %d samples, %.0f s; log %s)"
            % (name, rc, o.get("count") or 0, secs, os.path.relpath(logpath)))
        return None, res
    log("%s: %d samples, min %s avg %s p99 %s max %s ns (%.0f s)"
        % (name, o["count"], ctr.fmt(o["min"]), ctr.fmt(o["avg"]), ctr.fmt(o.get("p99")),
           ctr.fmt(o["max"]), secs))
    return s, res


KEYS = ("min", "avg", "p99", "max")


def median_of(summaries):
    ok = [s["overall"] for s in summaries if s]
    if not ok:
        return None
    return {k: statistics.median(o[k] for o in ok if o.get(k) is not None)
            for k in KEYS if any(o.get(k) is not None for o in ok)} | {"runs": len(ok)}


# Issue 18's goals for Takt under -icount (guest ns); with -S the goal is relative to Linux.
GOAL_NS = {"avg": 300, "max": 600}


def plot(series, icount, path, title, smp=False):
    """The histograms beside min/avg/p99/max per system (-icount runs), the goal's max
    and Linux's max marked (tools/cyclictest_plot.py)."""
    systems = [(name, {k: v for k, v in icount[key]["overall"].items()
                       if k in KEYS and v is not None})
               for key, name in (("takt", "Takt icount"), ("linux", "Linux PREEMPT_RT icount"))
               if icount.get(key)]
    marks = [] if smp else [("goal, Takt max (ns)", GOAL_NS["max"])]
    if icount.get("linux"):
        marks.append(("Linux max, icount (ns)", icount["linux"]["overall"]["max"]))
    series = [(lb, [(x * 1000.0, n) for x, n in pts]) for lb, pts in series]
    try:
        cyclictest_plot.side_by_side(series, systems, path, title, xlabel="latency (ns)",
                                     marks=marks)
    except cyclictest_plot.PlotError as e:
        log("no plot: %s" % e)


def per_cpu_table(icount):
    """-S: thread n runs on CPU n. Max per CPU, Takt beside Linux, icount."""
    lines = ["%-6s %12s %12s %9s" % ("CPU", "Takt max ns", "Linux max ns", "ratio")]
    tk = (icount.get("takt") or {}).get("threads") or []
    lx = (icount.get("linux") or {}).get("threads") or []
    for n in range(max(len(tk), len(lx))):
        a = tk[n].get("max") if n < len(tk) else None
        b = lx[n].get("max") if n < len(lx) else None
        ratio = "%8.1fx" % (b / a) if a and b else "%9s" % "-"
        lines.append("%-6s %12s %12s %s" % (n, ctr.fmt(a), ctr.fmt(b), ratio))
    return "\n".join(lines)


def table(rows):
    lines = ["%-8s %-24s %9s %9s %9s %9s" % ("mode", "system", *[k + " ns" for k in KEYS])]
    for mode, takt, linux, linux_name in rows:
        for name, d in (("Takt", takt), (linux_name, linux)):
            lines.append("%-8s %-24s " % (mode, name) + " ".join(
                "%9s" % (ctr.fmt(d.get(k)) if d else "-") for k in KEYS))
        ratio = []
        for k in KEYS:
            a, b = (takt or {}).get(k), (linux or {}).get(k)
            ratio.append("%8.1fx" % (b / a) if a and b and a > 0 else "%9s" % "-")
        lines.append("%-8s %-24s " % (mode, "ratio Linux/Takt") + " ".join(ratio))
    return "\n".join(lines)


def with_smp(cmd, n):
    """cmd with its -smp set to n (added where it has none)."""
    cmd = list(cmd)
    if "-smp" in cmd:
        cmd[cmd.index("-smp") + 1] = str(n)
        return cmd
    return cmd + ["-smp", str(n)]


def bench(root, board, takt_build_dir, takt_qemu, takt_error=None, smp=False):
    """smp: cyclictest -S on SMP_CPUS vCPUs (both systems), -icount only, a per-CPU
    table; results in BOARD-latency-smp.json."""
    params = SMP_PARAMS if smp else PARAMS
    repeats = 0 if smp else REPEATS
    tag = "-smp" if smp else ""
    out_dir = os.path.join(root, "build", "bench")
    log_dir = os.path.join(out_dir, "latency")
    os.makedirs(log_dir, exist_ok=True)
    t_start = time.monotonic()
    args = " ".join(params)
    log("parameters: cyclictest %s; %d wall-clock runs per system" % (args, repeats))

    peer = None
    pcfg = PEERS.get(board)
    if pcfg:
        try:
            image, uroot, kpkg = fetch_peer(pcfg["arch"])
            rd = initramfs(uroot, params, os.path.join(log_dir, "%s-linux-initramfs%s.cpio"
                                                       % (board, tag)), pcfg)
            peer = (image, rd, kpkg)
            log("Linux peer: %s, initramfs %d KiB" % (kpkg, os.path.getsize(rd) // 1024))
        except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
            out = getattr(e, "output", "") or ""
            log("Linux peer unavailable: %s %s" % (e, out.strip()[-300:]))
    else:
        log("no Linux peer for %s (known: %s)" % (board, ", ".join(PEERS)))

    # -smp 1 matches the Linux peer's machine; a real board's model fixes its
    # CPU count (raspi3b refuses anything but 4), and its secondaries are
    # parked until the multicore scheduler exists.
    # With smp, both get SMP_CPUS where the machine takes -smp (virt, microvm).
    cpus = SMP_CPUS if smp else 1
    smp_arg = ["-smp", str(cpus)] if pcfg and "-smp" in pcfg["qemu"] else []

    def takt_cmd(extra, bootargs=""):
        cmd = [a for a in takt_qemu]
        return cmd + smp_arg + ["-append", (bootargs + " " + args).strip()] + extra

    def takt_nolead_cmd(extra):
        return takt_cmd(extra, "sleep.lead=off")

    def linux_cmd(extra):
        q = with_smp(pcfg["qemu"], cpus) if "-smp" in pcfg["qemu"] else pcfg["qemu"]
        return q + ["-kernel", peer[0], "-initrd", peer[1], "-append",
                    pcfg["append"]] + extra

    results = {"icount": {}, "wall": {}}
    series = []
    runs = []
    if takt_qemu:
        runs.append(("takt", "Takt", takt_cmd, {}))
        if not smp:	# the same without the wake-up lead (kernel/sleep.c), icount only
            runs.append(("takt_nolead", "Takt sleep.lead=off", takt_nolead_cmd,
                         {"walls": False}))
    elif takt_error:
        log("Takt's cyclictest is not available: %s" % takt_error)
    if peer:
        runs.append(("linux", "Linux PREEMPT_RT", linux_cmd,
                     {"ready": pcfg["ready"], "tries": pcfg["tries"],
                      "done": pcfg.get("done")}))
    for key, name, mk, kw in runs:
        walls_wanted = kw.pop("walls", True)
        log("%s, icount: booting ..." % name)
        s, res = measure("%s icount" % name, mk(ICOUNT),
                         os.path.join(log_dir, "%s-%s-icount%s.log" % (board, key, tag)), **kw)
        results["icount"][key] = s
        if s:
            series.append(("%s icount" % name, ctr.series_for_plot(res, "ns")))
        if not walls_wanted:
            continue
        walls = []
        for r in range(repeats):
            log("%s, wall clock run %d/%d: booting ..." % (name, r + 1, REPEATS))
            s, res = measure("%s wall %d" % (name, r + 1), mk([]),
                             os.path.join(log_dir, "%s-%s-wall-%d.log"
                                          % (board, key, r + 1)), **kw)
            walls.append(s)
            if s and r == 0:
                series.append(("%s wall" % name, ctr.series_for_plot(res, "ns")))
        results["wall"][key] = walls

    def ov(s):
        return dict(s["overall"]) if s else None
    rows = [("icount", ov(results["icount"].get("takt")), ov(results["icount"].get("linux")),
             "Linux PREEMPT_RT"),
            ("wall", median_of(results["wall"].get("takt", [])),
             median_of(results["wall"].get("linux", [])), "Linux PREEMPT_RT")]
    print()
    machine = pcfg["machine"] if pcfg else " ".join(takt_qemu or [])
    if smp:
        machine = machine.replace("-smp 1", "-smp %d" % cpus)
    print("cyclictest %s on %s (%s); wall = median of %d runs"
          % (args, board, machine, repeats))
    if pcfg and pcfg["takt_machine"]:
        print("machines differ: %s" % pcfg["takt_machine"])
    if peer:
        print("Linux: %s with rt-tests' cyclictest" % peer[2])
    print(table(rows), flush=True)
    nolead = ov(results["icount"].get("takt_nolead"))
    if nolead:
        print("Takt with sleep.lead=off (no wake-up lead), icount: avg %s max %s"
              % (nolead.get("avg"), nolead.get("max")), flush=True)
    if smp:
        print(per_cpu_table(results["icount"]), flush=True)

    summary = {
        "board": board, "params": params, "repeats": repeats, "cpus": cpus,
        "linux_kernel_package": peer[2] if peer else None,
        "qemu": {"takt": takt_cmd([]) if takt_qemu else None,
                 "linux": linux_cmd([]) if peer else None},
        "icount": {k: (s and {"overall": s["overall"], "threads": s["threads"]})
                   for k, s in results["icount"].items()},
        "wall": {k: {"runs": [s and s["overall"] for s in v], "median": median_of(v)}
                 for k, v in results["wall"].items()},
        "table": [{"mode": m, "takt": t, "linux": lx} for m, t, lx, _ in rows],
        "unit": "ns",
        "seconds": round(time.monotonic() - t_start, 1),
    }
    jpath = os.path.join(out_dir, "%s-latency%s.json" % (board, tag))
    with open(jpath, "w") as f:
        json.dump(summary, f, indent=1)
    ppath = os.path.join(out_dir, "%s-latency%s.png" % (board, tag))
    plot(series, results["icount"], ppath, "cyclictest %s, %s" % (args, board), smp)
    print("json: %s\nplot: %s\nlogs: %s/" % (os.path.relpath(jpath), os.path.relpath(ppath),
                                             os.path.relpath(log_dir)))
    log("done in %.0f s" % (time.monotonic() - t_start))
    return summary
