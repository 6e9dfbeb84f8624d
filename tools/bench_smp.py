"""./takt bench smp, the target part: tests/bench/smp under QEMU -icount with SMP_CPUS
vCPUs (cross-CPU wake-up latency idle and busy, local wake-up, ping-pong round trips,
IPIs per wake-up, the longest scheduler-lock hold per CPU). QEMU runs the vCPUs one at a
time in turns under -icount, so a cross-CPU figure also holds the wait for the target's
turn; the latency part (tools/bench_latency.py, smp=True) compares with Linux PREEMPT_RT
in the same QEMU. Writes build/bench/BOARD-smp.json.

The acceptance part (smp_acceptance): the host program tools/smp_accept/smp_accept.c
(kernel/sched/place.c against partitioned first-fit and Linux's sum-u test, with global EDF
simulated by tests/unit/smp_refsim.c) on random task sets. Writes
build/bench/smp-acceptance.json."""
import json
import os
import subprocess

ICOUNT = ["-icount", "shift=0,align=off,sleep=off"]
SMP_CPUS = 4
LABELS = {
    "xwake_idle_ns": "cross-CPU wake-up, target idle (min/avg/max ns)",
    "xwake_busy_ns": "cross-CPU wake-up, target busy (min/avg/max ns)",
    "local_wake_ns": "same-CPU wake-up (min/avg/max ns)",
    "pingpong_x_ns": "round trip CPU 0 -> 1 -> 0 (ns)",
    "pingpong_local_ns": "round trip on one CPU (ns)",
    "admit_repack_ns": "deadline thread admitted by a repack's search (ns, status)",
    "admit_refused_ns": "deadline thread over the total share refused (ns, status)",
    "admit_refused_search_ns": "deadline thread refused after the search (ns, status)",
    "ipis_per_xwake": "IPIs per cross-CPU wake-up",
}


def smp_acceptance(root, cc="cc"):
    """Build and run the acceptance benchmark on the host (no board); returns its JSON."""
    out_dir = os.path.join(root, "build", "bench")
    os.makedirs(out_dir, exist_ok=True)
    exe = os.path.join(out_dir, "smp_accept")
    src = [os.path.join(root, p) for p in ("tools/smp_accept/smp_accept.c",
                                           "kernel/sched/place.c", "kernel/sched/place_qpa.c",
                                           "tests/unit/smp_refsim.c")]
    subprocess.run([cc, "-O2", "-Wall", "-Wextra", "-Werror", "-I", os.path.join(root, "kernel"),
                    "-I", os.path.join(root, "tests", "unit"), "-o", exe] + src + ["-lm"],
                   check=True)
    path = os.path.join(out_dir, "smp-acceptance.json")
    subprocess.run([exe, path], check=True, timeout=1800)
    print("json: %s" % os.path.relpath(path))
    with open(path) as f:
        return json.load(f)


def smp_cmd(qemu_cmd):
    """The board's command with SMP_CPUS vCPUs where the machine takes -smp (QEMU virt,
    microvm); a real board's model has its own fixed count (raspi3b, zcu102: 4)."""
    if any(m in " ".join(qemu_cmd) for m in ("raspi", "xlnx-zcu102")):
        return list(qemu_cmd)
    return list(qemu_cmd) + ["-smp", str(SMP_CPUS)]


def parse(out):
    res = {}
    for line in out.splitlines():
        if line.startswith("bench: "):
            parts = line.split()
            res[parts[1]] = parts[2:]
    return res


def bench_target(root, board, qemu_cmd, timeout=600):
    cmd = smp_cmd(qemu_cmd) + ICOUNT
    out = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                         timeout=timeout).stdout
    res = parse(out)
    if "cpus" not in res:
        raise ValueError("no bench lines from %s" % " ".join(cmd))
    print("SMP figures on %s, %s vCPUs, QEMU -icount shift=0 (1 instruction = 1 ns; "
          "cross-CPU figures include the target vCPU's turn)" % (board, res["cpus"][0]))
    for key, label in LABELS.items():
        if key in res:
            print("  %-50s %s" % (label, " / ".join(res[key])))
    locks = sorted(k for k in res if k.startswith("lock_max_ns_cpu"))
    if locks:
        print("  %-50s %s" % ("longest scheduler-lock hold per CPU (ns)",
                              " ".join(res[k][0] for k in locks)))
    # A second run with the kernel's masked-stretch stamps on (bootarg
    # irqoff.stats=on): they cost every mask and unmask, so not in the first.
    masked = parse(subprocess.run(cmd + ["-append", "irqoff.stats=on"], stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, timeout=timeout).stdout)
    offs = sorted(k for k in masked if k.startswith("irqoff_max_ns_cpu"))
    if not offs:
        raise ValueError("no irqoff_max_ns lines with irqoff.stats=on")
    res.update({k: masked[k] for k in offs})
    if "irqoff_max_with_admissions_ns_cpu0" in masked:
        res["irqoff_max_with_admissions_ns_cpu0"] = masked["irqoff_max_with_admissions_ns_cpu0"]
        print("  %-50s %s" % ("CPU 0's longest masked stretch, admissions included (ns)",
                              masked["irqoff_max_with_admissions_ns_cpu0"][0]))
    print("  %-50s %s" % ("longest interrupts-masked stretch per CPU (ns)",
                          " ".join(res[k][0] for k in offs)))
    out_dir = os.path.join(root, "build", "bench")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "%s-smp.json" % board)
    with open(path, "w") as f:
        json.dump({"board": board, "qemu": cmd, "results": res}, f, indent=1)
    print("json: %s" % os.path.relpath(path))
    return res
