"""./takt bench soak, the pure part: the --hours argument, /metrics text -> figures,
and the pass/fail judgement over a recorded series of samples (tests/host/test_bench_soak.py
feeds it recorded data). tools/bench_soak_run.py runs the guest and the peers.

The criteria, each over figures read from the guest's /metrics (net/http/metrics.c):

  deadline misses   takt_thread_deadline_misses_total summed over every thread (cyclictest's
                    deadline threads and the gateway's sampler), the largest sum of any sample,
                    and cyclictest's own "# Deadline misses: N" if it printed one (it runs
                    until the guest is stopped, so normally it does not): must be 0.
  heap growth       takt_memory_heap_used_bytes when quiet (wrk paused: under wrk it swings by
                    ~100 KiB with the connections open at that instant, so a figure under load
                    says more about timing than about leaks): wrk is paused once warm-up (the
                    first WARMUP_FRACTION of the guest time under load) is over, and stopped
                    at the end; ceiling = the smallest quiet figure at that pause, end = the
                    smallest quiet figure after the run; growth = end - ceiling: must be <= 0.
                    The largest figures under load during and after warm-up are reported too.
  leaked sockets    takt_lwip_pool_used{pool="NETCONN"} (lwIP's sockets) when quiet, i.e. with
                    wrk not running: end = the smallest of the quiet samples after the run,
                    baseline = the smallest of those before wrk started; leaked = end - baseline:
                    must be <= 0. The smallest, because an MQTT publish or our own /metrics
                    request can hold one for an instant in any one sample.
  leaked pbufs      the same over the PBUF_POOL and PBUF_REF/ROM pools' used counts, summed.
  /metrics answers  every sample's GET /metrics answered 200 with the figures (no sample
                    lost), the last one (quiet, after the run) included.
  MQTT flowing      mosquitto received messages from the gateway after warm-up (the received
                    count grew between the pause after warm-up and the last sample under load).
"""

import math
import re

WARMUP_FRACTION = 0.1

# figure -> (metric name, label filter or None: sum over every series); a filter value
# ending in * matches by prefix.
FIGURES = {
    "uptime_s": ("takt_uptime_seconds", None),
    "heap_used_bytes": ("takt_memory_heap_used_bytes", None),
    "sockets": ("takt_lwip_pool_used", ("pool", "NETCONN")),
    "pbuf_pool": ("takt_lwip_pool_used", ("pool", "PBUF_POOL")),
    "pbuf_ref": ("takt_lwip_pool_used", ("pool", "PBUF_REF/ROM")),
    "tcp_pcbs": ("takt_lwip_pool_used", ("pool", "TCP_PCB")),
    "pool_failures": ("takt_lwip_pool_failures_total", None),
    "deadline_misses": ("takt_thread_deadline_misses_total", None),
    "overruns": ("takt_thread_overruns_total", None),
    "http_requests": ("takt_http_requests_total", None),
    "http_open": ("takt_http_connections_open", None),
    "mqtt_published": ("takt_mqtt_published_total", None),
    "mqtt_connects": ("takt_mqtt_connects_total", None),
    "samples_taken": ("takt_gateway_samples_total", None),
    # cyclictest's threads are named cyclictest/N: their switches-in show they ran
    "cyclictest_switches": ("takt_thread_switches_total", ("thread", "cyclictest/*")),
}
# Figures a sample must have for the judgement (the rest are reported when present).
NEEDED = ("uptime_s", "heap_used_bytes", "sockets", "pbuf_pool", "pbuf_ref", "deadline_misses")

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


class SoakError(Exception):
    pass


def parse_hours(text):
    """--hours: a positive, finite number of guest hours (float). ValueError with the
    message for anything else."""
    try:
        h = float(text)
    except (TypeError, ValueError):
        raise ValueError("--hours %r is not a number (guest hours, e.g. 1 or 0.05)" % (text,))
    if not math.isfinite(h) or h <= 0:
        raise ValueError("--hours %r must be a positive number of guest hours" % (text,))
    if h * 3600 < 20:
        # cyclictest's -D is whole seconds, and warm-up needs a few samples
        raise ValueError("--hours %r is under 20 guest seconds (the least: %.4f)"
                         % (text, 20 / 3600))
    return h


DEFAULT_RATE = 100	# wrk's requests per wall second (see parse_rate)
MAX_RATE = 100000


def parse_rate(text):
    """--rate: wrk's requests per wall second, a whole number; 0 = unpaced, as fast as
    the guest answers. Unpaced, the guest never idles and its clock is its instruction
    count: a guest hour took 6.4 wall hours on the 2-core build machine (TCG at about
    156 M guest instructions per s, 1 M per /metrics request). Paced, the guest idles
    between requests and its clock leaps: at 100 a guest hour took 697 wall s on
    virt (17 requests per guest s). ValueError with the message for anything else."""
    try:
        r = int(text, 10)
    except (TypeError, ValueError):
        raise ValueError("--rate %r is not a whole number (requests per wall second, "
                         "0 for unpaced)" % (text,))
    if r < 0 or r > MAX_RATE:
        raise ValueError("--rate %r must be 0 (unpaced) to %d requests per wall second"
                         % (text, MAX_RATE))
    return r


def pace_lua(rate, connections):
    """wrk's script for `rate` requests per wall second over `connections`: each
    connection waits delay() ms before its next request (wrk's Lua hook). None for
    unpaced."""
    if rate == 0:
        return None
    ms = max(1, round(1000.0 * connections / rate))
    return "-- ./takt bench soak --rate %d, %d connections\nfunction delay()\n   return %d\nend\n" % (
        rate, connections, ms)


def label_matches(value, want):
    if value is None:
        return False
    return value.startswith(want[:-1]) if want.endswith("*") else value == want


def parse_metrics(text):
    """Prometheus text -> {figure: number} for FIGURES (a figure whose metric is absent
    is left out); SoakError when a NEEDED one is missing."""
    sums = {}
    for line in text.split("\n"):
        if not line or line.startswith("#"):
            continue
        m = LINE.match(line.strip())
        if not m:
            continue
        name, labels, value = m.group(1), dict(LABEL.findall(m.group(2) or "")), m.group(3)
        try:
            v = float(value)
        except ValueError:
            continue
        for fig, (metric, want) in FIGURES.items():
            if metric == name and (want is None or label_matches(labels.get(want[0]), want[1])):
                sums[fig] = sums.get(fig, 0) + v
    missing = [f for f in NEEDED if f not in sums]
    if missing:
        raise SoakError("/metrics lacks %s" % ", ".join("%s (%s)" % (f, FIGURES[f][0])
                                                          for f in missing))
    return {k: (int(v) if v == int(v) and k != "uptime_s" else v) for k, v in sums.items()}


def pbufs(s):
    return s["pbuf_pool"] + s["pbuf_ref"]


def judge(series):
    """The verdict over a recorded run: series is a dict with
      baseline    [quiet samples before wrk], warm: [samples under load during warm-up],
      mid         [quiet samples at the pause after warm-up], loaded: [samples under load
                  after it], final: [quiet samples after the run]; each sample a figures
                  dict (parse_metrics) plus "mqtt_received", in order;
      unanswered  the number of /metrics reads that got no answer;
      cyclictest_misses  (optional) the misses cyclictest's summary line counted.
    Returns {"criteria": {name: {"pass": bool, figures...}}, "pass": bool}."""
    parts = {k: series[k] for k in ("baseline", "warm", "mid", "loaded", "final")}
    empty = [k for k, v in parts.items() if not v]
    if empty:
        raise SoakError("a run needs samples in every phase; none in: %s" % ", ".join(empty))
    every = [x for v in parts.values() for x in v]
    c = {}
    misses = max([x["deadline_misses"] for x in every] + [series.get("cyclictest_misses") or 0])
    c["deadline_misses"] = {"pass": misses == 0, "misses": misses,
                            "overruns": max(x.get("overruns", 0) for x in every)}
    ceiling = min(x["heap_used_bytes"] for x in parts["mid"])
    end = min(x["heap_used_bytes"] for x in parts["final"])
    c["heap_growth"] = {"pass": end <= ceiling, "after_warmup_bytes": ceiling, "end_bytes": end,
                        "growth_bytes": end - ceiling,
                        "before_load_bytes": min(x["heap_used_bytes"] for x in parts["baseline"]),
                        "max_under_load_warmup_bytes": max(x["heap_used_bytes"]
                                                           for x in parts["warm"]),
                        "max_under_load_after_bytes": max(x["heap_used_bytes"]
                                                          for x in parts["loaded"])}
    for name, fig in (("sockets", lambda x: x["sockets"]), ("pbufs", pbufs)):
        b, e = min(map(fig, parts["baseline"])), min(map(fig, parts["final"]))
        c["leaked_" + name] = {"pass": e <= b, "baseline": b, "end": e, "leaked": e - b}
    c["metrics_answering"] = {"pass": series["unanswered"] == 0, "unanswered": series["unanswered"],
                              "reads": len(every) + series["unanswered"]}
    got = parts["loaded"][-1]["mqtt_received"] - parts["mid"][-1]["mqtt_received"]
    c["mqtt_flowing"] = {"pass": got > 0, "received_after_warmup": got,
                         "received": parts["final"][-1]["mqtt_received"]}
    return {"criteria": c, "pass": all(v["pass"] for v in c.values())}


def verdict_lines(v):
    """The judgement in words, one line per criterion."""
    c, out = v["criteria"], []

    def line(name, text):
        out.append("  %-18s %s  %s" % (name, "PASS" if c[name]["pass"] else "FAIL", text))
    d = c["deadline_misses"]
    line("deadline_misses", "%d misses, %d overruns (all deadline threads)"
         % (d["misses"], d["overruns"]))
    h = c["heap_growth"]
    line("heap_growth", "quiet: end %d B - after warm-up %d B = %+d B (before load %d B; "
         "under load up to %d B in warm-up, %d B after)"
         % (h["end_bytes"], h["after_warmup_bytes"], h["growth_bytes"], h["before_load_bytes"],
            h["max_under_load_warmup_bytes"], h["max_under_load_after_bytes"]))
    for n in ("sockets", "pbufs"):
        k = c["leaked_" + n]
        line("leaked_" + n, "quiet after %d - quiet before %d = %+d"
             % (k["end"], k["baseline"], k["leaked"]))
    m = c["metrics_answering"]
    line("metrics_answering", "%d of %d reads unanswered" % (m["unanswered"], m["reads"]))
    q = c["mqtt_flowing"]
    line("mqtt_flowing", "%d messages received after warm-up, %d in all"
         % (q["received_after_warmup"], q["received"]))
    return out


def progress_line(s, phase):
    """One sample as a progress line; phase says which (quiet, warm-up, load)."""
    return ("[bench soak] %-7s guest %7.1f s  wall %7.1f s  heap %7d B  sockets %2d  pbufs %2d  "
            "tcp_pcbs %2s  misses %d  mqtt %s recv/%s pub  http %s req"
            % (phase, s["uptime_s"], s["wall_s"], s["heap_used_bytes"], s["sockets"], pbufs(s),
               s.get("tcp_pcbs", "?"), s["deadline_misses"], s.get("mqtt_received", "?"),
               s.get("mqtt_published", "?"), s.get("http_requests", "?")))
