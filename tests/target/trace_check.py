#!/usr/bin/env python3
"""The scheduler trace end to end (tests/target/apps/trace, trace=on, under -icount):
boot QEMU, take the TRACE block out of the console (tools/takt_trace.py), and check

- the converter's record count equals the kernel's dump line, and babeltrace2 reads
  the CTF with exactly that many events;
- every ftrace line parses with Perfetto's systrace line format, every sched_switch
  has all its fields, names have no spaces, marks are B/E/I/N tracing_mark_writes;
- the app's sequence: ping and pong hand over ROUNDS times (ping ==> pong, then
  pong ==> ping), ping's "round" slices begin and end ROUNDS times with instants
  0..ROUNDS-1 on the round-no track, and the deadline hog is throttled and replenished.

With --cyclictest-break (cyclictest -b under trace=on) the app checks are instead: the
run reports its break thread and value, the trace ends with cyclictest's
"hit latency threshold" mark carrying that value, and the switch into that thread
(its late wake-up) and what ran before it are in the trace.

usage: trace_check.py (--rounds N | --cyclictest-break) --out DIR -- QEMU-COMMAND...
"""
import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "tools"))
import takt_trace  # noqa: E402

# Perfetto's systrace_line_tokenizer.cc line format, in Python's syntax.
PERFETTO_LINE = re.compile(r"-(\d+)\s+\(?\s*(\d+|-+)?\)?\s?\[(\d+)\]\s*"
                           r"[a-zA-Z0-9.]{0,4}\s+(\d+\.\d+):\s+(\S+):")
SWITCH = re.compile(r"^prev_comm=(\S+) prev_pid=(\d+) prev_prio=(-?\d+) prev_state=(\S+) "
                    r"==> next_comm=(\S+) next_pid=(\d+) next_prio=(-?\d+)$")
MARK = re.compile(r"^(B\|\d+\|\S+|E\|\d+|I\|\d+\|\S.*|N\|\d+\|[^|\s]+\|\S+)$")


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


def check_break(console, lines):
    bt = re.search(r"^# Break thread: (\d+)\r?\n# Break value: (\d+)", console, re.M)
    if not bt:
        fail("no '# Break thread/value' lines: the latency never passed -b")
    last = [ln for ln in lines if "tracing_mark_write" in ln][-1:]
    if not last or not re.search(r"N\|(\d+)\|hit_latency_threshold\|%s$" % bt.group(2),
                                 last[0]):
        fail("the trace's last mark is %r, expected the break with value %s"
             % (last, bt.group(2)))
    pid = re.search(r"N\|(\d+)\|", last[0]).group(1)
    cpu = re.search(r"\[(\d{3})\]", last[0]).group(1)
    lines = [ln for ln in lines if "[%s]" % cpu in ln]     # the break's CPU only
    i = lines.index(last[0])
    before = [ln for ln in lines[:i] if "sched_switch" in ln]
    if not before or not before[-1].endswith("next_pid=%s next_prio=%s"
                                             % (pid, before[-1].split("next_prio=")[-1])):
        fail("no switch into the break thread (pid %s) before the mark: %r"
             % (pid, before[-1:]))
    if lines[-1] != last[0]:
        fail("records after the break on its CPU: the trace did not stop there (%r)"
             % lines[-1])
    print("PASS break thread %s at %s, the trace ends with its late wake-up: %s"
          % (bt.group(1), bt.group(2), before[-1].split(": sched_switch: ")[-1]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int)
    ap.add_argument("--cyclictest-break", action="store_true")
    ap.add_argument("--out", required=True)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    os.makedirs(a.out, exist_ok=True)
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=120)
    console = p.stdout.decode("utf-8", "replace")
    with open(os.path.join(a.out, "console.log"), "w") as f:
        f.write(console)
    if p.returncode != 0:
        fail("QEMU exited %d:\n%s" % (p.returncode, console[-3000:]))
    m = re.search(r"^trace: (\d+) records, (\d+) lost, (\d+) CPU", console, re.M)
    if not m:
        fail("no 'trace: N records' dump line")
    trace = takt_trace.parse(takt_trace.extract(console))
    n = sum(len(c["records"]) for c in trace["cpus"])
    if n != int(m.group(1)):
        fail("converter has %d records, the kernel dumped %s" % (n, m.group(1)))
    print("PASS records %d (kernel %s, lost %s)" % (n, m.group(1), m.group(2)))

    ctf = os.path.join(a.out, "ctf")
    takt_trace.write_ctf(trace, ctf)
    bt = subprocess.run(["babeltrace2", ctf], capture_output=True, text=True, timeout=60)
    if bt.returncode != 0:
        fail("babeltrace2: %s" % bt.stderr[-2000:])
    events = bt.stdout.splitlines()
    if len(events) != n:
        fail("babeltrace2 shows %d events, the kernel recorded %d" % (len(events), n))
    if not all("cpu_id = " in e for e in events):
        fail("an event without the packet context's cpu_id")
    print("PASS babeltrace2 reads %d events" % len(events))

    lines = [ln for ln in takt_trace.ftrace_lines(trace) if not ln.startswith("#")]
    with open(os.path.join(a.out, "trace.ftrace"), "w") as f:
        f.write("\n".join(takt_trace.ftrace_lines(trace)) + "\n")
    switches, marks = [], []
    for ln in lines:
        lm = PERFETTO_LINE.search(ln)
        if not lm:
            fail("not Perfetto's line format: %r" % ln)
        task, args = ln[:lm.start()].strip(), ln[lm.end():].strip()
        if " " in task:
            fail("a task name with a space: %r" % ln)
        if lm.group(5) == "sched_switch":
            sm = SWITCH.match(args)
            if not sm:
                fail("sched_switch without all its fields: %r" % ln)
            switches.append((sm.group(1), sm.group(5)))
        elif lm.group(5) == "tracing_mark_write":
            if not MARK.match(args):
                fail("tracing_mark_write not B/E/I/N: %r" % ln)
            marks.append(args.split("|"))
    print("PASS %d ftrace lines in Perfetto's format" % len(lines))
    if a.cyclictest_break:
        check_break(console, lines)
        print("4 passed, 0 failed")
        return

    pp = [s for s in switches if set(s) == {"ping", "pong"}]
    want = [("ping", "pong"), ("pong", "ping")] * a.rounds
    if pp != want:
        fail("ping/pong switches %s, expected %s" % (pp, want))
    begins = [x for x in marks if x[0] == "B" and x[2] == "round"]
    ends = [x for x in marks if x[0] == "E"]
    values = [int(x[3]) for x in marks if x[0] == "N" and x[2] == "round-no"]
    if len(begins) != a.rounds or len(ends) != a.rounds or values != list(range(a.rounds)):
        fail("marks: %d begins, %d ends, values %s" % (len(begins), len(ends), values))
    print("PASS ping/pong hand over %d times, marks in order" % a.rounds)

    hog = [tid for tid, (name, _, _) in trace["names"].items() if name == "hog"]
    kinds = {takt_trace.TYPES[r[1]] for c in trace["cpus"] for r in c["records"]
             if hog and r[4] == hog[0]}
    if not {"throttle", "replenish"} <= kinds:
        fail("the deadline hog's records: %s (no throttle/replenish)" % sorted(kinds))
    print("PASS the hog is throttled and replenished")
    if trace["names"].get(1, ("",))[0] != "traced-main":
        fail("main's rename not in the trace: %r" % (trace["names"].get(1),))
    print("PASS the rename is recorded")
    print("6 passed, 0 failed")


if __name__ == "__main__":
    try:
        main()
    except takt_trace.TraceError as e:
        fail("trace: %s" % e)
