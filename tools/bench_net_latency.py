"""./takt bench net, second part: cyclictest's wake-up latency on Takt with and
without HTTP load on the same image (tests/target/apps/cyclictest_net: cyclictest
with the network and the metrics endpoint), under QEMU -icount so the figures
are guest time and repeat; the load is wrk on /metrics through the user network.

The image's gate (port 81) starts cyclictest once the load is on, and powers off
only once the load is off again (tests/net/test_isolation.py does the same with
pass/fail checks; here only figures come out)."""

import os
import re
import signal
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "net"))
from guest import Guest  # noqa: E402

GATE = 81
ARGS = "-t1 -p80 -i1000 -l5000 -q metrics.timeout_ms=600000"
KEYS = ("Min", "Avg", "Max")


def log(msg):
    print("[bench net] " + msg, file=sys.stderr, flush=True)


def served(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n")
            return s.recv(12).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def one_run(build_dir, load):
    """{'Min': ns, 'Avg': ns, 'Max': ns, 'requests': n} of one cyclictest run."""
    with Guest(build_dir, forwards=[80, GATE], append=ARGS + " -N", icount=True) as g:
        g.wait_for(r"^gate: waiting on port %d$" % GATE, timeout=120)
        port = g.port(80)
        wrk = None
        if load:
            wrk = subprocess.Popen(["wrk", "-t1", "-c8", "-d600s", "--timeout", "10s",
                                    "http://127.0.0.1:%d/metrics" % port],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            end = time.monotonic() + 60
            while not served(port) and time.monotonic() < end:
                pass            # each probe waits on the guest; no sleep needed
        start = len(g.output())
        socket.create_connection(("127.0.0.1", g.port(GATE)), timeout=30).close()
        g.wait_for(r"^gate: cyclictest returned", timeout=600, start=start)
        out = ""
        if wrk:
            wrk.send_signal(signal.SIGINT)
            out = wrk.communicate(timeout=60)[0].decode("utf-8", "replace")
        socket.create_connection(("127.0.0.1", g.port(GATE)), timeout=30).close()
        g.wait_exit(60)
        lines = g.output()[start:]
    row = {}
    for line in lines:      # cyclictest's T: line (one thread)
        m = re.match(r"^T:\s*0 .*Min:\s*(\d+).*Avg:\s*(\d+)\s+Max:\s*(\d+)", line)
        if m:
            row = dict(zip(KEYS, map(int, m.groups())))
    m = re.search(r"^\s*(\d+) requests in ", out, re.M)
    row["requests"] = int(m.group(1)) if m else 0
    return row


def bench(build_dir):
    """Rows for the summary: idle, then under wrk load."""
    rows = {}
    for name, load in (("idle", False), ("wrk -c8 on /metrics", True)):
        log("cyclictest %s (%s) ..." % (ARGS.split(" metrics")[0], name))
        rows[name] = one_run(build_dir, load)
    print()
    print("cyclictest %s -N on Takt, -icount shift=0 (guest ns), same image"
          % ARGS.split(" metrics")[0])
    print("%-24s %8s %8s %8s %10s" % ("load", "min ns", "avg ns", "max ns", "wrk reqs"))
    for name, r in rows.items():
        print("%-24s %8s %8s %8s %10s" % (name, r.get("Min", "?"), r.get("Avg", "?"),
                                         r.get("Max", "?"), r["requests"] if r["requests"]
                                         else "-"))
    return rows
