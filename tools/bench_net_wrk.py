"""./takt bench net's load generator: wrk (Debian package wrk) on the host, pinned to CPU 1
where there are two (the guest on CPU 0), its text output parsed into numbers (latencies
in us), several runs reduced to their medians. Split from tools/bench_net.py."""
import os
import re
import shlex
import shutil
import statistics
import subprocess

from bench_net_peer import Error

WRK_TIMEOUT = "2s"      # wrk's own default, written out: a slower reply counts as an error
PIN = os.cpu_count() is not None and os.cpu_count() >= 2 and shutil.which("taskset")
WRK_CPU = ["taskset", "-c", "1"] if PIN else []

# -- wrk ------------------------------------------------------------------------------------

UNITS_US = {"us": 1.0, "ms": 1e3, "s": 1e6, "m": 60e6, "h": 3600e6}
SCALE = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9}


def to_us(text):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m|h)", text)
    if not m:
        raise Error("unexpected wrk time %r" % text)
    return float(m.group(1)) * UNITS_US[m.group(2)]


def parse_wrk(out):
    """wrk 4's text output -> dict (latencies in us)."""
    r = {}
    m = re.search(r"^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)\s+\S+%", out, re.M)
    if m:
        r["avg_us"], r["stdev_us"], r["max_us"] = (to_us(x) for x in m.groups())
    pct = re.search(r"Latency Distribution\s*\n((?:\s+\d+%\s+\S+\s*\n)+)", out)
    if pct:
        for p, v in re.findall(r"(\d+)%\s+(\S+)", pct.group(1)):
            r["p%s_us" % p] = to_us(v)
    m = re.search(r"^\s*(\d+) requests in ([0-9.]+)(us|ms|s|m|h), ([0-9.]+)([KMGT]?B) read",
                  out, re.M)
    if m:
        r["requests"] = int(m.group(1))
        r["duration_s"] = float(m.group(2)) * UNITS_US[m.group(3)] / 1e6
        r["bytes_read"] = round(float(m.group(4)) * {"B": 1, "KB": 1024, "MB": 1024 ** 2,
                                                     "GB": 1024 ** 3, "TB": 1024 ** 4}
                                [m.group(5)])
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                  out)
    r["socket_errors"] = dict(zip(("connect", "read", "write", "timeout"),
                                  (int(x) for x in m.groups()) if m else (0, 0, 0, 0)))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    r["non_2xx_3xx"] = int(m.group(1)) if m else 0
    r["errors"] = r["non_2xx_3xx"] + sum(r["socket_errors"].values())
    m = re.search(r"^Requests/sec:\s+([0-9.]+)([kMG]?)", out, re.M)
    if not m:
        raise Error("no Requests/sec in wrk's output:\n" + out.strip())
    r["requests_per_sec"] = float(m.group(1)) * SCALE[m.group(2)]
    return r


def wrk(port, path, connections, seconds, latency=True, close=False):
    exe = shutil.which("wrk")
    if not exe:
        raise Error("wrk is not installed (apt-get install wrk)")
    cmd = [exe, "-t1", "-c%d" % connections, "-d%ds" % seconds, "--timeout", WRK_TIMEOUT]
    if latency:
        cmd.append("--latency")
    if close:
        cmd += ["-H", "Connection: close"]
    cmd.append("http://127.0.0.1:%d%s" % (port, path))
    p = subprocess.run(WRK_CPU + cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=seconds + 60)
    if p.returncode != 0:
        raise Error("%s exited %d:\n%s" % (shlex.join(cmd), p.returncode, p.stdout.strip()))
    return cmd, p.stdout


def median_runs(runs):
    """One run as it is; several: the median of each figure, errors summed, the runs
    kept under "runs"."""
    if len(runs) == 1:
        return dict(runs[0])
    keys = [k for k, v in runs[0].items() if isinstance(v, (int, float))
            and k not in ("errors", "non_2xx_3xx", "requests")]
    r = {k: statistics.median(x[k] for x in runs if k in x) for k in keys}
    r["requests"] = sum(x.get("requests", 0) for x in runs)
    r["non_2xx_3xx"] = sum(x["non_2xx_3xx"] for x in runs)
    r["socket_errors"] = {k: sum(x["socket_errors"][k] for x in runs)
                          for k in runs[0]["socket_errors"]}
    r["errors"] = sum(x["errors"] for x in runs)
    r["runs"] = runs
    return r
