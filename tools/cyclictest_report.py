#!/usr/bin/env python3
"""Turn cyclictest output (Takt's apps/cyclictest or rt-tests') into a summary.

    cyclictest_report.py [--unit us|ns] [--label L] [--json OUT] [--png OUT] LOG...
        parse each LOG (a console capture: boot messages, ANSI escapes and the
        live display are fine), print a summary per thread, write the JSON
        summary and a histogram plot (PNG, latency vs count on a log scale, one
        curve per LOG). '-' reads stdin.

    cyclictest_report.py check --threads N --loops N [--timeout S] [--status S]
                         [--unit us|ns] -- COMMAND...
        run COMMAND (a QEMU boot), print its output and check it as a test: the
        last T: line of every thread has cyclictest's exact format, C equals the
        loop count, min <= avg <= max, and with a histogram the histogram counts
        plus the overflows equal the loop count and the per-thread lines agree.
        With --status other than 0 it checks a failing run instead: the exit
        status and the usage text. Exit 0 when it passes, 1 when not.

What is read: the per-thread lines
    T:%2d (%5d) P:%2d I:%ld C:%7lu Min:%7ld Act:%5ld Avg:%5ld Max:%8ld
(Act/Avg %8ld with -N), the histogram block (# Histogram, rows '%06d' then
tab-separated '%06lu' counts, # Total:, # Min/Avg/Max Latencies:, # Histogram
Overflows:), verbose samples ('%8d:%8lu:%8ld', -v) and '# Deadline misses:'.
Percentiles come from the verbose samples when there are any (exact), else
from the histogram (bucket resolution, overflows counted as beyond the max).
The unit is what cyclictest printed: us, or ns when it ran with -N; the JSON
gives every figure in ns as well.
"""
import argparse
import json
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True
import cyclictest_plot  # noqa: E402
import qemu_test  # noqa: E402  (what a status of 0 needs beyond the status)

T_RE = re.compile(r"T:\s*(\d+) \(\s*(\d+)\) P:\s*(\d+) I:(\d+) C:\s*(\d+) Min:\s*(-?\d+) "
                  r"Act:\s*(-?\d+) Avg:\s*(-?\d+) Max:\s*(-?\d+)")
# The exact line: cyclictest's printf formats (us, and ns with -N).
T_FORMATS = ["T:%2d (%5d) P:%2d I:%d C:%7d Min:%7d Act:%5d Avg:%5d Max:%8d",
             "T:%2d (%5d) P:%2d I:%d C:%7d Min:%7d Act:%8d Avg:%8d Max:%8d"]
ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
V_RE = re.compile(r"^\s*(\d+):\s*(\d+):\s*(-?\d+)$")
HROW_RE = re.compile(r"^(\d{6}) (\d+(?:\t\d+)*)$")


def clean_lines(text):
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for line in text.split("\n"):
        # The live display moves the cursor up with ESC[nA: the text after it
        # on the same line is a new line of output.
        for part in ANSI_RE.split(line):
            out.append(part)
    return out


def parse(text):
    """A dict: threads {idx: {...last T: line}}, hist {idx: {bucket: n}},
    hist_lines {name: [..]}, samples {idx: [..]}, deadline {...}, t_lines [raw]."""
    res = {"threads": {}, "hist": {}, "hist_meta": {}, "samples": {}, "t_lines": [],
           "deadline": None, "usage": False}
    in_hist = False
    for line in clean_lines(text):
        s = line.rstrip()
        if s.startswith("Usage:"):
            res["usage"] = True
        m = T_RE.search(s)
        if m:
            i = int(m.group(1))
            res["threads"][i] = dict(zip(
                ("index", "tid", "prio", "interval", "cycles", "min", "act", "avg", "max"),
                map(int, m.groups())))
            res["t_lines"].append(s[m.start():])
            continue
        if s == "# Histogram":
            in_hist = True
            res["hist"] = {}
            continue
        if in_hist:
            m = HROW_RE.match(s)
            if m:
                b = int(m.group(1))
                for j, v in enumerate(m.group(2).split("\t")):
                    res["hist"].setdefault(j, {})[b] = int(v)
                continue
            if s.startswith("#"):
                key, _, vals = s[2:].partition(":")
                nums = [int(v) for v in vals.split() if re.fullmatch(r"-?\d+", v)]
                if key in ("Total", "Min Latencies", "Avg Latencies", "Max Latencies",
                           "Histogram Overflows", "Min Latencys", "Avg Latencys"):
                    res["hist_meta"][key.replace("Latencys", "Latencies")] = nums
                    continue
                if key.startswith("Histogram Overflow at") or key.startswith("Thread "):
                    continue
            in_hist = False
        m = re.match(r"^# Deadline misses: (\d+) overruns: (\d+)", s)
        if m:
            res["deadline"] = {"misses": int(m.group(1)), "overruns": int(m.group(2))}
            continue
        m = V_RE.match(s)
        if m:
            res["samples"].setdefault(int(m.group(1)), {})[int(m.group(2))] = int(m.group(3))
    res["samples"] = {i: [v for _, v in sorted(d.items())] for i, d in res["samples"].items()}
    return res


def percentile_sorted(vals, p):
    if not vals:
        return None
    k = max(0, min(len(vals) - 1, int(-(-p * len(vals) // 100)) - 1))
    return vals[k]


def hist_percentile(hist, overflow, p):
    total = sum(hist.values()) + overflow
    if not total:
        return None
    need = -(-p * total // 100)
    acc = 0
    for b in sorted(hist):
        acc += hist[b]
        if acc >= need:
            return b
    return None     # in the overflow


def summarize(res, unit="us", label=None):
    """Per-thread and overall figures (in the printed unit and in ns)."""
    mult = 1000 if unit == "us" else 1
    meta = res["hist_meta"]
    idxs = sorted(set(res["threads"]) | set(res["hist"]) | set(res["samples"]))
    threads = []
    allvals, allhist, alloverflow = [], {}, 0
    for i in idxs:
        t = dict(res["threads"].get(i, {}))
        d = {"thread": i}
        for k in ("tid", "prio", "interval"):
            if k in t:
                d[k] = t[k]
        vals = sorted(res["samples"].get(i, []))
        hist = res["hist"].get(i, {})
        ovf = 0
        if "Histogram Overflows" in meta and i < len(meta["Histogram Overflows"]):
            ovf = meta["Histogram Overflows"][i]
        if vals:
            d.update(count=len(vals), min=vals[0], max=vals[-1],
                     avg=sum(vals) / len(vals), source="samples")
            allvals += vals
        elif t:
            d.update(count=t["cycles"], min=t["min"], max=t["max"], avg=t["avg"],
                     source="T-line")
        elif hist:
            n = sum(hist.values()) + ovf
            def pick(key):
                v = meta.get(key)
                return v[i] if v and i < len(v) else None
            d.update(count=n, min=pick("Min Latencies"), max=pick("Max Latencies"),
                     avg=pick("Avg Latencies"), source="histogram")
        if vals:
            for p in (50, 99, 99.9):
                d["p%g" % p] = percentile_sorted(vals, p)
        elif hist:
            for p in (50, 99, 99.9):
                d["p%g" % p] = hist_percentile(hist, ovf, p)
        if hist:
            d["hist_total"] = sum(hist.values())
            d["hist_overflow"] = ovf
            for b, n in hist.items():
                allhist[b] = allhist.get(b, 0) + n
            alloverflow += ovf
        threads.append(d)
    overall = {}
    if threads and all("count" in d and d["count"] is not None for d in threads):
        n = sum(d["count"] for d in threads)
        overall = {"count": n,
                   "min": min(d["min"] for d in threads),
                   "max": max(d["max"] for d in threads),
                   "avg": (sum(d["avg"] * d["count"] for d in threads) / n) if n else 0}
        if allvals:
            allvals.sort()
            for p in (50, 99, 99.9):
                overall["p%g" % p] = percentile_sorted(allvals, p)
        elif allhist:
            for p in (50, 99, 99.9):
                overall["p%g" % p] = hist_percentile(allhist, alloverflow, p)
    ns = {k: (v * mult if isinstance(v, (int, float)) and v is not None else v)
          for k, v in overall.items() if k != "count"}
    return {"label": label, "unit": unit, "threads": threads, "overall": overall,
            "overall_ns": ns, "deadline": res["deadline"],
            "histogram": {str(b): n for b, n in sorted(allhist.items())},
            "histogram_overflow": alloverflow,
            "samples": len(allvals)}


def series_per_thread(res, unit):
    """[("thread N", points)]: one histogram line per thread."""
    out = []
    for i in sorted(set(res["samples"]) | set(res["hist"])):
        one = {"samples": {i: res["samples"][i]} if i in res["samples"] else {},
               "hist": {i: res["hist"][i]} if i in res["hist"] else {}}
        pts = series_for_plot(one, unit)
        if pts:
            out.append(("thread %d" % i, pts))
    return out


def series_for_plot(res, unit):
    """(bucket value in us, count) points: samples binned, or the histogram."""
    vals = [v for s in res["samples"].values() for v in s]
    if vals:
        div = 1000.0 if unit == "ns" else 1.0
        lo, hi = min(vals) / div, max(vals) / div
        nb = 100
        width = max((hi - lo) / nb, 0.01)
        bins = {}
        for v in vals:
            b = int((v / div - lo) / width)
            bins[b] = bins.get(b, 0) + 1
        return [(lo + (b + 0.5) * width, n) for b, n in sorted(bins.items())]
    hist = {}
    for h in res["hist"].values():
        for b, n in h.items():
            hist[b] = hist.get(b, 0) + n
    div = 1000.0 if unit == "ns" else 1.0
    return [(b / div, n) for b, n in sorted(hist.items()) if n]


# -- commands ---------------------------------------------------------------------------

def fmt(v):
    if v is None:
        return "-"
    return "%d" % round(v) if isinstance(v, (int, float)) else str(v)


def print_summary(s, out=sys.stdout):
    print("%s (unit %s)" % (s["label"] or "cyclictest", s["unit"]), file=out)
    print("  thread  count      min      avg      p99      max", file=out)
    for d in s["threads"] + ([dict(s["overall"], thread="all")] if len(s["threads"]) > 1
                             and s["overall"] else []):
        print("  %6s %6s %8s %8s %8s %8s" % (d["thread"], fmt(d.get("count")), fmt(d.get("min")),
              fmt(d.get("avg")), fmt(d.get("p99")), fmt(d.get("max"))), file=out)
    if s["deadline"]:
        print("  deadline misses %d, overruns %d" % (s["deadline"]["misses"],
              s["deadline"]["overruns"]), file=out)


def report(args):
    summaries, series = [], []
    for k, path in enumerate(args.logs):
        try:
            if path == "-":
                text = sys.stdin.read()
            else:
                with open(path, errors="replace") as f:
                    text = f.read()
        except OSError as e:
            print("cyclictest_report: %s: %s" % (path, e.strerror), file=sys.stderr)
            return 1
        res = parse(text)
        label = (args.label[k] if args.label and k < len(args.label)
                 else os.path.basename(path))
        s = summarize(res, args.unit, label)
        if not s["threads"]:
            print("cyclictest_report: %s: no cyclictest output found" % path, file=sys.stderr)
            return 1
        print_summary(s)
        summaries.append(s)
        if len(args.logs) == 1 and len(res["threads"]) > 1:
            series += series_per_thread(res, args.unit)
        else:
            series.append((label, series_for_plot(res, args.unit)))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summaries if len(summaries) > 1 else summaries[0], f, indent=1)
        print("json: " + args.json)
    if args.png:
        overflow = sum(x["histogram_overflow"] or 0 for x in summaries)
        title = args.title or "cyclictest latency histogram"
        if overflow:
            title += " (%d samples beyond the histogram)" % overflow
        try:
            if args.unit == "ns":   # the figures as printed: ns
                series = [(lb, [(x * 1000.0, n) for x, n in pts]) for lb, pts in series]
            cyclictest_plot.histogram(series, args.png, title,
                                      xlabel="latency (%s)" % args.unit)
        except cyclictest_plot.PlotError as e:
            print("cyclictest_report: no plot: %s" % e, file=sys.stderr)
            return 1
        print("plot: " + args.png)
    return 0


def check(args):
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    print("$ " + " ".join(cmd), flush=True)
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=args.timeout)
    except subprocess.TimeoutExpired as e:
        sys.stdout.write((e.output or b"").decode("utf-8", "replace"))
        print("\nFAIL: no exit within %g s (hang)" % args.timeout)
        return 1
    text = p.stdout.decode("utf-8", "replace")
    sys.stdout.write(text)
    errors = []
    if p.returncode != args.status:
        errors.append("exit status %d, expected %d" % (p.returncode, args.status))
    if re.search(r"^PANIC:", text.replace("\r\n", "\n"), re.M):
        errors.append("PANIC in the output")
    res = parse(text)
    if args.status != 0:
        if not res["usage"]:
            errors.append("no usage text")
        if res["threads"]:
            errors.append("a failing run printed thread lines")
    else:
        errors += check_run(res, args)
        errors += qemu_test.success_checks(text.replace("\r\n", "\n"), 0, args.no_poweroff)
    for e in errors:
        print("FAIL: " + e)
    if not errors:
        print("PASS")
    return 1 if errors else 0


def check_run(res, args):
    errors = []
    th = res["threads"]
    if sorted(th) != list(range(args.threads)):
        errors.append("thread lines for %s, expected 0..%d" % (sorted(th), args.threads - 1))
    last = {}
    for line in res["t_lines"]:
        last[int(T_RE.search(line).group(1))] = line
    for i, line in sorted(last.items()):
        vals = tuple(int(v) for v in T_RE.search(line).groups())
        if line.rstrip() not in [f % vals for f in T_FORMATS]:
            errors.append("thread %d: line not in cyclictest's format: %r" % (i, line))
    for i, t in sorted(th.items()):
        if t["cycles"] != args.loops:
            errors.append("thread %d: C:%d, expected %d" % (i, t["cycles"], args.loops))
        if not t["min"] <= t["avg"] <= t["max"]:
            errors.append("thread %d: not min <= avg <= max (%d, %d, %d)"
                          % (i, t["min"], t["avg"], t["max"]))
        if t["min"] < 0:
            errors.append("thread %d: negative latency %d" % (i, t["min"]))
    if args.histogram:
        meta = res["hist_meta"]
        if len(res["hist"]) != args.threads:
            errors.append("histogram has %d columns, expected %d" % (len(res["hist"]),
                                                                     args.threads))
        rows = {len(h) for h in res["hist"].values()}
        if rows != {args.histogram}:
            errors.append("histogram rows %s, expected %d" % (rows, args.histogram))
        ovf = meta.get("Histogram Overflows", [])
        tot = meta.get("Total", [])
        for i in range(args.threads):
            h = res["hist"].get(i, {})
            o = ovf[i] if i < len(ovf) else None
            if o is None:
                errors.append("thread %d: no '# Histogram Overflows' figure" % i)
                continue
            if sum(h.values()) + o != args.loops:
                errors.append("thread %d: histogram %d + overflows %d != %d loops"
                              % (i, sum(h.values()), o, args.loops))
            if i < len(tot) and tot[i] != sum(h.values()):
                errors.append("thread %d: # Total %d != the rows' sum %d"
                              % (i, tot[i], sum(h.values())))
            for key, field in (("Min Latencies", "min"), ("Avg Latencies", "avg"),
                               ("Max Latencies", "max")):
                v = meta.get(key, [])
                if i >= len(v) or (i in th and v[i] != th[i][field]):
                    errors.append("thread %d: '# %s' disagrees with the T: line" % (i, key))
    if args.deadline:
        if res["deadline"] is None:
            errors.append("no '# Deadline misses:' line")
        elif res["deadline"]["misses"]:	# admitted threads: EDF meets every deadline
            errors.append("%d deadline misses" % res["deadline"]["misses"])
    return errors


def main(argv):
    if argv[:1] == ["check"]:
        ap = argparse.ArgumentParser(prog="cyclictest_report.py check")
        ap.add_argument("--threads", type=int, default=1)
        ap.add_argument("--loops", type=int, default=0)
        ap.add_argument("--histogram", type=int, default=0,
                        help="expected histogram buckets (0: no histogram)")
        ap.add_argument("--deadline", action="store_true",
                        help="expect the deadline line, with no miss")
        ap.add_argument("--status", type=int, default=0)
        ap.add_argument("--no-poweroff", action="store_true",
                        help="not a Takt guest (the host build): no power-off line")
        ap.add_argument("--timeout", type=float, default=120)
        ap.add_argument("cmd", nargs=argparse.REMAINDER)
        a = ap.parse_args(argv[1:])
        if not a.cmd:
            ap.error("no command")
        return check(a)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--unit", choices=("us", "ns"), default="us",
                    help="what the log's figures are in (ns: cyclictest ran with -N)")
    ap.add_argument("--label", action="append", help="a name per LOG, in order")
    ap.add_argument("--json", help="write the summary here")
    ap.add_argument("--png", help="write the histogram plot here")
    ap.add_argument("--title")
    ap.add_argument("logs", nargs="+")
    return report(ap.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
