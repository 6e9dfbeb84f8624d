"""./takt bench soak: the run (the judgement is tools/bench_soak.py's).

One guest, tests/bench/soak (apps/gateway and apps/cyclictest in one image), under QEMU
-icount (ICOUNT below), with at once
  - cyclictest's deadline threads (CT_ARGS), running until the guest is stopped;
  - the gateway publishing a sample every PERIOD_MS to mosquitto on the host's loopback
    (reached as 10.0.2.2), a mosquitto_sub counting what arrives;
  - wrk on /metrics through the user network's port forward, a new connection per
    request (Connection: close), so that every request goes through accept and close.
The run: boot; wait for /metrics and the gateway's first CONNACK; quiet samples (the
baseline); wrk on for warm-up, the first tenth of the run's guest time; wrk paused for
quiet samples (the heap's reference); wrk on for the other nine tenths; wrk off; quiet
samples again; QEMU stopped. Under load a sample of /metrics comes about every
run/SAMPLES guest seconds (the wall time to wait estimated from the guest's speed since
the last one); "the run" counts guest time under load only. Each sample prints
a progress line; the figures, every sample and the verdict go to build/bench/BOARD-soak.json.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import bench_soak as bs
from bench_net_wrk import parse_wrk

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "net"))
from guest import Guest, GuestError, free_port  # noqa: E402

ICOUNT = "shift=0,align=off,sleep=off"	# as every -icount bench; see Guest(icount=True)
PERIOD_MS = 100				# the gateway's sample period: 36000 messages a guest hour
# Two deadline threads of 1 ms (runtime 250 us each, cyclictest's cyclicdeadline split).
CT_ARGS = "-t2 --policy deadline -i1000 -q -N"
# The metrics server drops a connection whose request has not arrived within
# metrics.timeout_ms of guest time (5 s by default). With sleep=off the guest's clock
# leaps whenever it idles, waiting on the host (an idle soak guest ran 10 guest s per
# wall s), so 5 guest s can pass in half a wall second; as tools/bench_net_latency.py,
# give it 10 guest minutes (the default was not tried).
METRICS_ARGS = "metrics.timeout_ms=600000"
WRK_CONNECTIONS = 4
WRK = ["-t1", "-c%d" % WRK_CONNECTIONS, "--timeout", "10s", "-H", "Connection: close"]
SAMPLES = 40			# samples under load over the run, about
QUIET = 3			# quiet samples before and after (the smallest figures count)
QUIET_MAX = 10			# ... tried this many times for figures back at the baseline
QUIET_GAP = 0.5			# s (wall) between quiet samples
READ_TRIES = 3
READ_TIMEOUT = 30		# s (wall) for one GET /metrics
BOOT_TIMEOUT = 300		# s (wall) from QEMU's start to /metrics and a CONNACK
GAVE_UP = re.compile(r"^soak: (gateway|cyclictest) returned")	# tests/bench/soak/soak.c


def log(msg):
    print("[bench soak] " + msg, flush=True)


class Mosquitto:
    """mosquitto on 127.0.0.1:port and a mosquitto_sub on takt/# counting messages and
    gaps in the gateway's sequence numbers."""

    def __init__(self, tmpdir):
        self.port = free_port()
        conf = os.path.join(tmpdir, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n"
                    "log_dest stderr\nlog_type error\nlog_type warning\nlog_type notice\n"
                    "log_type information\n" % self.port)
        self.broker_log = []
        self.broker = subprocess.Popen(["mosquitto", "-c", conf], stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.sub = None
        self.received, self.gaps, self.last_seq, self.bad = 0, 0, None, 0
        self.lock = threading.Lock()
        self._follow(self.broker.stderr, self.broker_log.append)
        self._wait(r"mosquitto version \S+ running", "did not start")
        self.sub = subprocess.Popen(["mosquitto_sub", "-i", "takt-soak-sub", "-h", "127.0.0.1",
                                     "-p", str(self.port), "-t", "takt/#"],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT)
        self._follow(self.sub.stdout, self._message)
        self._wait(r"as takt-soak-sub", "saw no subscriber")

    @staticmethod
    def _follow(pipe, fn):
        def loop():
            for raw in pipe:
                fn(raw.decode("utf-8", "replace").rstrip("\n"))
        threading.Thread(target=loop, daemon=True).start()

    def _wait(self, regex, what):
        end = time.monotonic() + 20
        while time.monotonic() < end:
            if any(re.search(regex, ln) for ln in list(self.broker_log)):
                return
            time.sleep(0.05)
        self.stop()
        raise bs.SoakError("mosquitto %s:\n  %s" % (what, "\n  ".join(self.broker_log[-10:])))

    def _message(self, line):
        with self.lock:
            try:
                seq = json.loads(line)["seq"]
            except (ValueError, KeyError, TypeError):
                self.bad += 1
                return
            self.received += 1
            if self.last_seq is not None and seq > self.last_seq + 1:
                self.gaps += seq - self.last_seq - 1
            self.last_seq = seq

    def figures(self):
        with self.lock:
            return {"received": self.received, "seq_gaps": self.gaps, "last_seq": self.last_seq,
                    "unparsed": self.bad}

    def disconnects(self):
        return sum(1 for ln in list(self.broker_log) if "disconnected" in ln.lower()
                   and "takt-soak-sub" not in ln)

    def stop(self):
        for p in (self.sub, self.broker):
            if p and p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


class Run:
    def __init__(self, build_dir, hours, logpath, wrk_args):
        self.build_dir, self.run_s, self.logpath = build_dir, hours * 3600.0, logpath
        self.wrk_args = wrk_args
        self.unanswered, self.t0 = 0, None
        self.mq = self.guest = self.wrk = None

    def read(self):
        """One GET /metrics -> figures (plus mqtt_received and the wall time), or None."""
        url = "http://127.0.0.1:%d/metrics" % self.guest.port(80)
        for _ in range(READ_TRIES):
            console = self.guest.output()
            if self.guest.status is not None or any(GAVE_UP.match(ln) for ln in console):
                raise bs.SoakError("%s; console tail:\n  %s"
                                   % ("QEMU exited (%s)" % self.guest.status
                                      if self.guest.status is not None
                                      else "a part of the soak gave up", "\n  ".join(console[-15:])))
            try:
                with urllib.request.urlopen(url, timeout=READ_TIMEOUT) as r:
                    s = bs.parse_metrics(r.read().decode("utf-8", "replace"))
                s["mqtt_received"] = self.mq.figures()["received"]
                s["wall_s"] = round(time.monotonic() - self.t0, 3)
                return s
            except (OSError, bs.SoakError):
                continue
        self.unanswered += 1
        log("GET /metrics: no answer after %d tries" % READ_TRIES)
        return None

    def quiet(self, baseline=None):
        """QUIET samples (up to QUIET_MAX while the figures stay above the baseline)."""
        out = []
        for _ in range(QUIET_MAX):
            s = self.read()
            if s:
                out.append(s)
                print(bs.progress_line(s, "quiet"), flush=True)
            if len(out) >= QUIET and (baseline is None or (
                    min(x["sockets"] for x in out) <= min(x["sockets"] for x in baseline) and
                    min(map(bs.pbufs, out)) <= min(map(bs.pbufs, baseline)))):
                break
            time.sleep(QUIET_GAP)
        return out

    def boot(self):
        append = "mqtt=10.0.2.2:%d mqtt.period_ms=%d %s %s" % (self.mq.port, PERIOD_MS,
                                                              METRICS_ARGS, CT_ARGS)
        self.guest = Guest(self.build_dir, forwards=[80], append=append, icount=False,
                           extra=["-icount", ICOUNT], log=open(self.logpath, "w"))
        self.guest.start()
        self.t0 = time.monotonic()
        self.guest.wait_for(r"^soak: running$", timeout=BOOT_TIMEOUT)
        end = time.monotonic() + BOOT_TIMEOUT
        while time.monotonic() < end:
            s = self.read()
            if s and s.get("mqtt_connects", 0) >= 1:
                return
            time.sleep(0.5)
        raise bs.SoakError("no /metrics with an MQTT connection after %d s; console tail:\n  %s"
                           % (BOOT_TIMEOUT, "\n  ".join(self.guest.output()[-15:])))

    def loaded(self, length_s, phase):
        """wrk on, samples every run/SAMPLES guest seconds until the guest's uptime is
        length_s past the first, wrk off: (samples, wrk's figures, the sample just before
        wrk started)."""
        url = "http://127.0.0.1:%d/metrics" % self.guest.port(80)
        first = self.read()
        if not first:
            raise bs.SoakError("/metrics did not answer before wrk started")
        start_s, step = first["uptime_s"], self.run_s / SAMPLES
        self.wrk = subprocess.Popen(["wrk"] + self.wrk_args + ["-d%ds" % (10 * 365 * 86400), url],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT)
        log("%s: wrk %s on /metrics from guest uptime %.1f s, for %.1f guest s"
            % (phase, " ".join(self.wrk_args), start_s, length_s))
        out, prev, wait = [], first, 1.0
        while not out or out[-1]["uptime_s"] < start_s + length_s:
            time.sleep(wait)
            s = self.read()
            if not s:
                continue
            out.append(s)
            print(bs.progress_line(s, phase), flush=True)
            # the wall time to the next sample at the guest's speed since the last one;
            # that speed swings 5-fold between samples (the guest's clock leaps while it
            # waits on the host), hence the margin and the cap: a run overshoots by at
            # most the guest time of 20 wall seconds
            rate = (s["uptime_s"] - prev["uptime_s"]) / max(s["wall_s"] - prev["wall_s"], 1e-3)
            target = min(s["uptime_s"] + step, start_s + length_s)
            wait = min(max(0.7 * (target - s["uptime_s"]) / max(rate, 1e-6), 0.2), 20.0)
            prev = s
        return out, self.stop_wrk(), first

    def stop_wrk(self):
        self.wrk.send_signal(signal.SIGINT)
        text = self.wrk.communicate(timeout=60)[0].decode("utf-8", "replace")
        self.wrk = None
        try:
            return parse_wrk(text)
        except Exception as e:     # noqa: BLE001 -- a figure lost, not the run
            return {"unparsed": str(e)}


def wrk_args(tmpdir, rate):
    """WRK, with the pacing script (written into tmpdir) unless rate is 0."""
    lua = bs.pace_lua(rate, WRK_CONNECTIONS)
    if lua is None:
        return list(WRK)
    path = os.path.join(tmpdir, "pace.lua")
    with open(path, "w") as f:
        f.write(lua)
    return ["-s", path] + WRK


def on_sigterm(signum, frame):
    """kill(1) cleans up as Ctrl-C does: QEMU, wrk and mosquitto stopped (finally)."""
    raise SystemExit(128 + signum)


def run(root, board, build_dir, hours, rate=bs.DEFAULT_RATE):
    """The whole soak; prints progress and the verdict; returns (path, passed)."""
    signal.signal(signal.SIGTERM, on_sigterm)
    for tool in ("mosquitto", "mosquitto_sub", "wrk"):
        if not shutil.which(tool) and not shutil.which(tool, path="/usr/sbin"):
            raise bs.SoakError("%s is not installed (./takt setup installs mosquitto, "
                               "mosquitto-clients and wrk)" % tool)
    os.environ["PATH"] += os.pathsep + "/usr/sbin"	# mosquitto
    outdir = os.path.join(root, "build", "bench")
    os.makedirs(outdir, exist_ok=True)
    logpath = os.path.join(outdir, "%s-soak-console.log" % board)
    tmpdir = tempfile.mkdtemp(prefix="takt-soak-")
    r = Run(build_dir, hours, logpath, wrk_args(tmpdir, rate))
    try:
        r.mq = Mosquitto(tmpdir)
        log("guest on %s, -icount %s, console: %s" % (board, ICOUNT, os.path.relpath(logpath)))
        r.boot()
        baseline = r.quiet()
        warm, wrk_warm, first_warm = r.loaded(r.run_s * bs.WARMUP_FRACTION, "warm-up")
        mid = r.quiet()
        loaded, wrk, first_load = r.loaded(r.run_s * (1 - bs.WARMUP_FRACTION), "load")
        final = r.quiet(baseline)
        wall = time.monotonic() - r.t0
        console = r.guest.output()
    except GuestError as e:
        raise bs.SoakError(str(e))
    finally:
        if r.wrk and r.wrk.poll() is None:
            r.wrk.kill()
            r.wrk.wait()
        if r.guest:
            r.guest.stop()
        if r.mq:
            r.mq.stop()
        shutil.rmtree(tmpdir, ignore_errors=True)
    misses = [int(m.group(1)) for m in (re.search(r"^# Deadline misses: (\d+)", ln)
                                        for ln in console) if m]
    series = {"baseline": baseline, "warm": warm, "mid": mid, "loaded": loaded, "final": final,
              "starts": [first_warm, first_load], "unanswered": r.unanswered,
              "cyclictest_misses": misses[-1] if misses else None}
    v = bs.judge(series)
    # guest and wall time under load: each phase from the sample just before wrk started
    phases = ((first_warm, warm), (first_load, loaded))
    guest_s = sum(p[-1]["uptime_s"] - f["uptime_s"] for f, p in phases)
    wall_load = sum(p[-1]["wall_s"] - f["wall_s"] for f, p in phases)
    result = {"board": board, "hours": hours, "icount": ICOUNT, "cyclictest": CT_ARGS,
              "mqtt_period_ms": PERIOD_MS, "wrk": " ".join(WRK) + " /metrics",
              "wrk_rate_per_wall_s": rate or None,
              "guest_s_under_load": round(guest_s, 3), "wall_s_under_load": round(wall_load, 3),
              "wall_s_per_guest_hour": round(wall_load / guest_s * 3600, 1) if guest_s > 0 else None,
              # under sleep=off the guest's clock leaps while wrk waits for a CPU on a
              # busy host, so the load per guest second varies from run to run
              "wrk_requests_per_guest_s": round((wrk.get("requests", 0)
                                                 + wrk_warm.get("requests", 0)) / guest_s, 1)
              if guest_s > 0 else None,
              "wall_s_total": round(wall, 1), "wrk_result": wrk, "wrk_result_warmup": wrk_warm,
              "mqtt": r.mq.figures(), "mqtt_broker_disconnects": r.mq.disconnects(),
              "mqtt_published": final[-1].get("mqtt_published"),
              "mqtt_connects": final[-1].get("mqtt_connects"),
              "unanswered": r.unanswered, "criteria": v["criteria"], "pass": v["pass"],
              "samples": series}
    path = os.path.join(outdir, "%s-soak.json" % board)
    with open(path, "w") as f:
        json.dump(result, f, indent=1)
    log("%.1f guest s under load in %.1f wall s: %s wall s per guest hour; %s wrk requests "
        "per guest s" % (guest_s, wall_load, result["wall_s_per_guest_hour"],
                         result["wrk_requests_per_guest_s"]))
    log("wrk: %s + %s requests, %s + %s errors (warm-up + after); mqtt: %d received (%d "
        "sequence gaps), %s published, %s connects"
        % (wrk_warm.get("requests"), wrk.get("requests"), wrk_warm.get("errors"),
           wrk.get("errors"), result["mqtt"]["received"], result["mqtt"]["seq_gaps"],
           result["mqtt_published"], result["mqtt_connects"]))
    for ln in bs.verdict_lines(v):
        print(ln, flush=True)
    log("%s; figures: %s" % ("PASS" if v["pass"] else "FAIL", os.path.relpath(path, root)))
    return path, v["pass"]
