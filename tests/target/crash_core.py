#!/usr/bin/env python3
"""Target test of crash cores (kernel/crash_core.c) with real gdb.

Boots the crash_core app (tests/target/apps/crash_core), which panics on a NULL
write; takes the core off the console with tools/takt_crash.py; opens takt.elf and
the core in gdb-multiarch -batch (thread names from tools/takt_core_gdb.py) and
checks: thread 1's bt starts in the faulting function at the source line marked
CRASH_LINE (with --fault-fn/--marker and -append panic: the tk_panic call); `info threads` lists exactly the app's threads by name; the blocked and
the sleeping thread unwind to their entry functions with no unknown frame between.

usage: crash_core.py --elf ELF --source MAIN.C --out DIR [--timeout S] -- QEMU-CMD...
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(HERE, "..", "..", "tools")
sys.path.insert(0, TOOLS)
sys.dont_write_bytecode = True
import qemu_test  # noqa: E402
import takt_crash  # noqa: E402

# "console": the transmit thread the first write after main() starts
THREADS = ["main", "core_waiter", "core_sleeper", "idle", "console"]
# thread name -> the entry function its bt must reach (then thread_start, arch_thread_start)
ENTRIES = {"core_waiter": "core_waiter", "core_sleeper": "core_sleeper"}


def marked_line(source, marker):
    with open(source) as f:
        for no, line in enumerate(f, 1):
            if marker in line:
                return no
    raise SystemExit("%s has no %s marker" % (source, marker))


def thread_bts(out):
    """{gdb thread number: (name, bt text)} from `thread apply all bt`."""
    res = {}
    for m in re.finditer(r'^Thread (\d+) \(LWP \d+(?: "([^"]*)")?\):\n((?:#.*\n?|Backtrace.*\n?)*)',
                         out, re.M):
        res[int(m.group(1))] = (m.group(2) or "", m.group(3))
    return res


def check(out, source, line, fault_fn="crash_bad_write"):
    errors = []
    bts = thread_bts(out)
    listed = re.findall(r'^\*?\s+(\d+)\s+LWP (\d+) "([^"]*)"', out, re.M)
    # The other CPUs' idle threads (a multicore board): listed, checked below.
    names = sorted(n for _, _, n in listed if not re.fullmatch(r"idle/\d+", n))
    if names != sorted(THREADS):
        errors.append("info threads lists %s, expected %s" % (names, sorted(THREADS)))
    if 1 not in bts:
        errors.append("no backtrace of thread 1")
    else:
        name, bt = bts[1]
        first = bt.splitlines()[0] if bt else ""
        want = r"^#0 .*\b%s \(.*\) at \S*%s:%d$" % (fault_fn, re.escape(os.path.basename(source)), line)
        if not re.match(want, first):
            errors.append("thread 1's frame #0 is %r, expected %s at %s:%d"
                          % (first, fault_fn, os.path.basename(source), line))
        if name != "main":
            errors.append("thread 1 is %r, expected the faulting thread main" % name)
        if not re.search(r"^#1 .* in main \(", bt, re.M):
            errors.append("thread 1 does not unwind to main: %r" % bt)
    by_name = {name: bt for name, bt in bts.values()}
    for th, entry in ENTRIES.items():
        bt = by_name.get(th)
        if bt is None:
            errors.append("no backtrace of thread %s" % th)
            continue
        if not re.search(r"^#\d+ .* in %s \(.*\n#\d+ .* in thread_start .*\n#\d+ .* in "
                         r"arch_thread_start " % entry, bt, re.M):
            errors.append("thread %s does not unwind to %s, thread_start, arch_thread_start:\n%s"
                          % (th, entry, bt))
        if "??" in bt:
            errors.append("thread %s has an unknown frame:\n%s" % (th, bt))
    # The other CPUs stop for the core (an IPI): their idle threads have the
    # registers of that interrupt and unwind to the idle loop.
    for name, bt in by_name.items():
        if re.fullmatch(r"idle/\d+", name) and not re.search(r"\bsched_idle_entry \(", bt):
            errors.append("thread %s (another CPU's) does not unwind to sched_idle_entry:\n%s"
                          % (name, bt))
    return errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--elf", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--out", required=True, help="directory for console.log and crash.core")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--fault-fn", default="crash_bad_write",
                    help="the function thread 1's frame #0 must be in")
    ap.add_argument("--marker", default="CRASH_LINE", help="the comment marking its line")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    os.makedirs(a.out, exist_ok=True)
    print("$ " + " ".join(cmd), flush=True)
    rc, raw = qemu_test.run(cmd, [], a.timeout)
    log = os.path.join(a.out, "console.log")
    with open(log, "wb") as f:
        f.write(raw)
    text = raw.decode("utf-8", "replace").replace("\r\n", "\n")
    print("".join(ln + "\n" for ln in text.splitlines() if not re.fullmatch(r"[A-Za-z0-9+/=]+", ln)))
    if rc != 1:
        print("FAIL: QEMU exited %s, expected 1 (a panic)" % rc)
        return 1
    try:
        core = takt_crash.extract(text)
    except takt_crash.CrashError as e:
        print("FAIL: %s" % e)
        return 1
    if core is None:
        print("FAIL: no crash core on the console")
        return 1
    path = os.path.join(a.out, "crash.core")
    with open(path, "wb") as f:
        f.write(core)
    print("crash core: %s, %d bytes" % (path, len(core)))
    gdb = ["gdb-multiarch", "-batch", "-nx", "-x", os.path.join(TOOLS, "takt_core_gdb.py"),
           "-ex", "info threads", "-ex", "thread apply all bt", a.elf, path]
    print("$ " + " ".join(gdb), flush=True)
    try:
        p = subprocess.run(gdb, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        print("FAIL: gdb: %s" % e)
        return 1
    print(p.stdout + p.stderr)
    errors = check(p.stdout, a.source, marked_line(a.source, a.marker), a.fault_fn)
    for e in errors:
        print("FAIL: " + e)
    if not errors:
        print("PASS")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
