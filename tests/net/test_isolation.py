"""Isolation: cyclictest's SCHED_DEADLINE threads keep every deadline while
wrk loads the metrics endpoint (tests/target/apps/cyclictest_net: cyclictest
with the network and the metrics server, behind a gate).

The gate (tests/target/apps/cyclictest_net/gate.c) holds cyclictest until
this script, with wrk's requests being served, connects to guest port 81,
and holds the power-off until it connects again with wrk stopped: so the
whole measured run falls inside the load, and wrk never sees the guest
vanish. During the run /metrics is fetched until the cyclictest histogram
family has samples, and that page goes through promtool too.

Passes when wrk was still running when cyclictest finished, got responses,
no non-2xx and no socket errors; cyclictest reports 0 deadline misses and
returns 0; QEMU exits 0. Latency figures are printed, never judged.

No sleeps: every wait is on a process, a socket or a console line."""

import re
import signal
import socket
import subprocess
import sys
import time

from guest import Guest, GuestError
from checks import check, failures, parse_args, require_promtool, URL_RX

# 3000 loops of 1 ms: several seconds of wall time under the load; -h puts
# the histogram on /metrics; -q keeps the console to the summary. The guest
# runs under -icount (guest time = instructions): on a shared host, TCG's
# wall-clock time has the host's scheduling in it, which gives deadline
# misses without any network at all. With sleep=off an idle guest's clock
# leaps to its next timer, so idle gaps between wrk's requests add up to
# the server's 5 s idle timeout in no time: metrics.timeout_ms is raised
# (the gate keeps key=value words from cyclictest). maxcpus=1 (taken by the
# kernel): under -icount QEMU runs the vCPUs one at a time in turns, so on a
# 4-core board (zcu102) the CPUs serving HTTP would take turns with the
# measuring one and eat its guest time, which real cores do not; this is the
# one-CPU isolation claim (tests/target/apps/smp has the multicore ones).
CYCLICTEST = ("--policy deadline -t2 -i1000 -l3000 -q -h200 metrics.timeout_ms=600000 "
              "maxcpus=1")
GATE = 81
HIST = "takt_cyclictest_latency_seconds"




def fetch(port):
    out = subprocess.run(["curl", "-sS", "--max-time", "30", "-w", "\n%{http_code}",
                          "http://127.0.0.1:%d/metrics" % port],
                         capture_output=True, timeout=40)
    body, _, code = out.stdout.rpartition(b"\n")
    return int(code or 0), body.decode("utf-8", "replace")


def sample(text, rx):
    m = re.search(rx, text, re.M)
    return float(m.group(1)) if m else None


def served_200(port):
    code, text = fetch(port)
    n = sample(text, r'^takt_http_requests_total\{code="200"\} (\d+)$') if code == 200 else None
    return n or 0


def wait_for_load(port, wrk, more=50, timeout=60):
    """Until the server has answered `more` requests beyond this script's
    own fetches (wrk's, then), each fetch pacing the next."""
    start, mine, end = served_200(port), 1, time.monotonic() + timeout
    while time.monotonic() < end and wrk.poll() is None:
        n = served_200(port)
        mine += 1
        if n - start - mine >= more:
            return True
    return False


def watch_histogram(port, promtool, g, start):
    """Fetch /metrics during the run until both series have samples."""
    end = time.monotonic() + 240
    while True:
        code, text = fetch(port)
        counts = [sample(text, r'^%s_count\{thread="%d"\} (\d+)$' % (HIST, t)) for t in (0, 1)]
        if code == 200 and all(c and c > 0 for c in counts):
            break
        if (any(l.startswith("# Deadline misses") for l in g.output()[start:]) or
                g.status is not None or time.monotonic() > end):
            break   # the run is over: what we have is what we check
    check("cyclictest_histogram_on_metrics_during_run", all(c and c > 0 for c in counts) and
          "# TYPE %s histogram" % HIST in text, "counts %s" % counts)
    p = subprocess.run([promtool, "check", "metrics"], input=text.encode(), capture_output=True,
                       timeout=60)
    said = (p.stdout + p.stderr).decode().strip()
    check("metrics_with_histogram_pass_promtool", p.returncode == 0 and not said,
          "exit %d: %s" % (p.returncode, said))


def wrk_figures(out):
    reqs = re.search(r"^\s*(\d+) requests in ", out, re.M)
    non2xx = re.search(r"^\s*Non-2xx or 3xx responses: (\d+)", out, re.M)
    errors = re.search(r"^\s*Socket errors: (.*)$", out, re.M)
    return (int(reqs.group(1)) if reqs else 0, int(non2xx.group(1)) if non2xx else 0,
            errors.group(1) if errors else None)


def run(build_dir, promtool):
    with Guest(build_dir, forwards=[80, GATE], append=CYCLICTEST, icount=True) as g:
        g.wait_for(URL_RX, timeout=90)
        g.wait_for(r"^gate: waiting on port %d$" % GATE, timeout=90)
        port = g.port(80)
        wrk = subprocess.Popen(["wrk", "-t1", "-c8", "-d600s", "--timeout", "10s",
                                "http://127.0.0.1:%d/metrics" % port],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            check("wrk_load_served_before_the_run", wait_for_load(port, wrk))
            start = len(g.output())
            socket.create_connection(("127.0.0.1", g.port(GATE)), timeout=30).close()
            t0 = time.monotonic()
            watch_histogram(port, promtool, g, start)
            m = g.wait_for(r"^# Deadline misses: (\d+) overruns: (\d+)$", timeout=240, start=start)
            took = time.monotonic() - t0
            check("wrk_ran_through_the_whole_run", wrk.poll() is None)
            rc = g.wait_for(r"^gate: cyclictest returned (-?\d+)$", timeout=60, start=start)
        finally:
            if wrk.poll() is None:
                wrk.send_signal(signal.SIGINT)
            out = wrk.communicate(timeout=60)[0].decode("utf-8", "replace")
        socket.create_connection(("127.0.0.1", g.port(GATE)), timeout=30).close()
        status = g.wait_exit(60)
        lines = g.output()[start:]
    reqs, non2xx, errors = wrk_figures(out)
    check("wrk_got_responses", reqs > 0, out)
    check("wrk_no_non_2xx", non2xx == 0, "%d non-2xx" % non2xx)
    check("wrk_no_socket_errors", errors is None, errors or "")
    misses, overruns = int(m.group(1)), int(m.group(2))
    check("zero_deadline_misses", misses == 0, "%d misses, %d overruns" % (misses, overruns))
    check("cyclictest_returned_0", rc.group(1) == "0", "returned %s" % rc.group(1))
    check("qemu_exit_status_0", status == 0, "status %s" % status)
    # figures, for the record
    print("  cyclictest: %.1f s of wall time, %d overruns" % (took, overruns))
    for line in lines:
        if line.startswith(("# Min Latencies", "# Avg Latencies", "# Max Latencies",
                            "# Histogram Overflows:")):
            print("  " + line)
    rate = re.search(r"^Requests/sec:\s*(\S+)", out, re.M)
    print("  wrk: %d requests (%s/s) over the run" % (reqs, rate.group(1) if rate else "?"))


def main():
    a = parse_args()
    promtool = require_promtool()
    if not promtool:
        return 1
    try:
        run(a.build_dir, promtool)
    except (GuestError, OSError, ValueError, subprocess.SubprocessError) as e:
        check("isolation_run", False, "%s: %s" % (type(e).__name__, e))
    print("%d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
