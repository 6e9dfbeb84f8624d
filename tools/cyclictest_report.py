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
import struct
import subprocess
import sys
import zlib

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


# -- a PNG writer and a small plotter (no dependencies) ------------------------------

FONT = {  # 5x7, rows top to bottom, bit 4 = leftmost column
    "0": "0e 11 13 15 19 11 0e", "1": "04 0c 04 04 04 04 0e", "2": "0e 11 01 02 04 08 1f",
    "3": "1f 02 04 02 01 11 0e", "4": "02 06 0a 12 1f 02 02", "5": "1f 10 1e 01 01 11 0e",
    "6": "06 08 10 1e 11 11 0e", "7": "1f 01 02 04 08 08 08", "8": "0e 11 11 0e 11 11 0e",
    "9": "0e 11 11 0f 01 02 0c", "A": "0e 11 11 1f 11 11 11", "B": "1e 11 11 1e 11 11 1e",
    "C": "0e 11 10 10 10 11 0e", "D": "1c 12 11 11 11 12 1c", "E": "1f 10 10 1e 10 10 1f",
    "F": "1f 10 10 1e 10 10 10", "G": "0e 11 10 17 11 11 0f", "H": "11 11 11 1f 11 11 11",
    "I": "0e 04 04 04 04 04 0e", "J": "07 02 02 02 02 12 0c", "K": "11 12 14 18 14 12 11",
    "L": "10 10 10 10 10 10 1f", "M": "11 1b 15 15 11 11 11", "N": "11 11 19 15 13 11 11",
    "O": "0e 11 11 11 11 11 0e", "P": "1e 11 11 1e 10 10 10", "Q": "0e 11 11 11 15 12 0d",
    "R": "1e 11 11 1e 14 12 11", "S": "0f 10 10 0e 01 01 1e", "T": "1f 04 04 04 04 04 04",
    "U": "11 11 11 11 11 11 0e", "V": "11 11 11 11 11 0a 04", "W": "11 11 11 15 15 15 0a",
    "X": "11 11 0a 04 0a 11 11", "Y": "11 11 11 0a 04 04 04", "Z": "1f 01 02 04 08 10 1f",
    " ": "00 00 00 00 00 00 00", ".": "00 00 00 00 00 0c 0c", ":": "00 0c 0c 00 0c 0c 00",
    "-": "00 00 00 1f 00 00 00", "(": "02 04 08 08 08 04 02", ")": "08 04 02 02 02 04 08",
    "/": "00 01 02 04 08 10 00", "%": "18 19 02 04 08 13 03", ",": "00 00 00 00 0c 04 08",
    "=": "00 00 1f 00 1f 00 00", "_": "00 00 00 00 00 00 1f", "+": "00 04 04 1f 04 04 00",
    "^": "04 0a 11 00 00 00 00", "|": "04 04 04 04 04 04 04",
}
COLORS = [(200, 40, 40), (30, 90, 200), (30, 150, 60), (200, 130, 0), (130, 50, 160)]


class Canvas:
    def __init__(self, w, h):
        self.w, self.h = w, h
        self.px = bytearray(b"\xff" * (w * h * 3))

    def set(self, x, y, c):
        if 0 <= x < self.w and 0 <= y < self.h:
            i = (y * self.w + x) * 3
            self.px[i:i + 3] = bytes(c)

    def line(self, x0, y0, x1, y1, c, thick=1):
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        err = dx + dy
        while True:
            for t in range(thick):
                self.set(x0, y0 + t, c)
                self.set(x0 + t, y0, c)
            if x0 == x1 and y0 == y1:
                break
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x0 += sx
            if e2 <= dx:
                err += dx
                y0 += sy

    def rect(self, x0, y0, x1, y1, c):
        for y in range(y0, y1):
            for x in range(x0, x1):
                self.set(x, y, c)

    def text(self, x, y, s, c=(0, 0, 0), scale=2):
        for ch in s:
            g = FONT.get(ch.upper(), FONT[" "])
            for r, row in enumerate(g.split()):
                bits = int(row, 16)
                for col in range(5):
                    if bits & (0x10 >> col):
                        self.rect(x + col * scale, y + r * scale, x + (col + 1) * scale,
                                  y + (r + 1) * scale, c)
            x += 6 * scale

    def png(self, path):
        raw = b"".join(b"\x00" + bytes(self.px[y * self.w * 3:(y + 1) * self.w * 3])
                       for y in range(self.h))

        def chunk(tag, data):
            return (struct.pack(">I", len(data)) + tag + data
                    + struct.pack(">I", zlib.crc32(tag + data) & 0xffffffff))
        with open(path, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n")
            f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0)))
            f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
            f.write(chunk(b"IEND", b""))


def nice_ticks(lo, hi, n=6):
    import math
    span = max(hi - lo, 1e-9)
    step = 10 ** math.floor(math.log10(span / n))
    for m in (1, 2, 5, 10):
        if span / (step * m) <= n:
            step *= m
            break
    t = math.floor(lo / step) * step
    out = []
    while t <= hi + 1e-9:
        if t >= lo - 1e-9:
            out.append(round(t, 6))
        t += step
    return out


def plot(series, path, title):
    """series: [(label, [(x_us, count), ...])] -> PNG, count on a log scale."""
    import math
    W, H, L, R, T, B = 1000, 600, 90, 30, 60, 70
    cv = Canvas(W, H)
    pts = [p for _, s in series for p in s]
    if not pts:
        pts = [(0, 1)]
    xs = [x for x, _ in pts if x > 0] or [1.0]
    logx = max(xs) / min(xs) > 30      # e.g. Takt's 0.5 us beside Linux's 20 us
    if logx:
        xmin = 10 ** math.floor(math.log10(min(xs)))
        xmax = 10 ** math.ceil(math.log10(max(xs)))
    else:
        xmin, xmax = 0.0, (max(xs) * 1.05 or 1)
    ymax = max(n for _, n in pts)
    ydec = max(1, math.ceil(math.log10(max(ymax, 1)) + 0.01))

    def X(x):
        if logx:
            x = max(x, xmin)
            return int(L + (math.log10(x) - math.log10(xmin))
                       / (math.log10(xmax) - math.log10(xmin)) * (W - L - R))
        return int(L + (x - xmin) / (xmax - xmin) * (W - L - R))

    def Y(n):
        return int(H - B - (math.log10(n) / ydec) * (H - T - B)) if n > 0 else H - B
    grey, black = (225, 225, 225), (0, 0, 0)
    for d in range(ydec + 1):
        y = Y(10 ** d)
        cv.line(L, y, W - R, y, grey)
        lab = "1" if d == 0 else "10^%d" % d if d > 3 else str(10 ** d)
        cv.text(L - 12 - 12 * len(lab), y - 7, lab)
    ticks = ([10 ** e for e in range(round(math.log10(xmin)), round(math.log10(xmax)) + 1)]
             if logx else nice_ticks(xmin, xmax))
    for t in ticks:
        x = X(t)
        cv.line(x, T, x, H - B, grey)
        lab = ("%g" % t)
        cv.text(x - 6 * len(lab), H - B + 10, lab)
    cv.line(L, H - B, W - R, H - B, black)
    cv.line(L, T, L, H - B, black)
    cv.text(L, 8, title)
    cv.text(W // 2 - 100, H - 30, "latency (us%s)" % (", log" if logx else ""))
    cv.text(10, T - 24, "samples (log)")
    for k, (label, s) in enumerate(series):
        c = COLORS[k % len(COLORS)]
        prev = None
        for x, n in s:
            p = (X(x), Y(n))
            if prev is not None:
                cv.line(prev[0], prev[1], p[0], p[1], c, 2)
            cv.rect(p[0] - 2, p[1] - 2, p[0] + 3, p[1] + 3, c)
            prev = p
        cv.rect(W - R - 330, T + 10 + 24 * k, W - R - 310, T + 24 + 24 * k, c)
        cv.text(W - R - 300, T + 10 + 24 * k, label[:24], c)
    cv.png(path)


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
        text = sys.stdin.read() if path == "-" else open(path, errors="replace").read()
        res = parse(text)
        label = (args.label[k] if args.label and k < len(args.label)
                 else os.path.basename(path))
        s = summarize(res, args.unit, label)
        if not s["threads"]:
            print("cyclictest_report: %s: no cyclictest output found" % path, file=sys.stderr)
            return 1
        print_summary(s)
        summaries.append(s)
        series.append((label, series_for_plot(res, args.unit)))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summaries if len(summaries) > 1 else summaries[0], f, indent=1)
        print("json: " + args.json)
    if args.png:
        plot(series, args.png, args.title or "cyclictest latency histogram")
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
    return errors


def main(argv):
    if argv[:1] == ["check"]:
        ap = argparse.ArgumentParser(prog="cyclictest_report.py check")
        ap.add_argument("--threads", type=int, default=1)
        ap.add_argument("--loops", type=int, default=0)
        ap.add_argument("--histogram", type=int, default=0,
                        help="expected histogram buckets (0: no histogram)")
        ap.add_argument("--deadline", action="store_true", help="expect the deadline line")
        ap.add_argument("--status", type=int, default=0)
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
