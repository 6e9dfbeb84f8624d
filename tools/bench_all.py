"""./takt bench all: every benchmark on a board, then one JSON of issue 18's figures.

collect(root, board, runs) reads the per-benchmark results (build/bench/BOARD-KIND.json,
written by ./takt bench boot|sched|console|latency|net|smp) and merges into
build/bench/all.json, per board, every figure of the table below with its anchors beside
it: the issue's "now" and "goal", Linux PREEMPT_RT's figure as the issue states it, and
Linux's figure measured in the same QEMU run. Numbers are JSON numbers; a figure a
benchmark did not produce is null (and the benchmark's failure is in "benches").

render(all_json) makes the README's table of figures from that JSON; replace_section()
puts it between the README's markers. Bad input (not the JSON this writes, a marker
missing) raises BenchAllError with a message.

    python3 tools/bench_all.py readme [build/bench/all.json] [README.md]
"""
import json
import os
import sys
import time

ORDER = ["boot", "sched", "console", "latency", "net", "smp"]
BEGIN = "<!-- bench all: begin (./takt bench all --readme writes this table) -->"
END = "<!-- bench all: end -->"

# Issue 18's table (figures under QEMU -icount; guest ns = instructions).
# key, figure, unit, now, goal, Linux as the issue states it (None: not given)
FIGURES = [
    ("cyclictest_avg_ns", "cyclictest -t1 -p99 -i1000 -l2000 -m -N, avg", "ns", 624, 300, 5391),
    ("cyclictest_max_ns", "cyclictest -t1 -p99 -i1000 -l2000 -m -N, max", "ns", 1168, 600, 17600),
    ("cyclictest_nolead_avg_ns", "same, avg, without the wake-up lead (sleep.lead=off)", "ns",
     None, None, None),
    ("cyclictest_nolead_max_ns", "same, max, without the wake-up lead", "ns", None, None, None),
    ("smp_worst_cpu_max_ns", "cyclictest -S on 4 CPUs, worst CPU's max", "ns", None, None, None),
    ("ctx_switch_ns", "context switch, two threads yielding", "ns", 272, 150, None),
    ("timer_wake_ns", "timer interrupt to the woken thread running", "ns", 567, 400, None),
    ("timer_late_ns", "a sleeping thread's lateness with the wake-up lead", "ns", None, None,
     None),
    ("boot_qemu_dtb_us", "entry to main, the DTB QEMU passes", "us", 662, 100, None),
    ("boot_board_dtb_us", "entry to main, the board DTB", "us", 502, 50, None),
    ("hello_text_data_kib", "hello, text + data", "KiB", 76.7, 48, None),
    ("hello_static_ram_kib", "hello, text + data + bss (static RAM only)", "KiB", None, 256,
     None),
    ("hello_run_ram_kib", "hello, all RAM it runs in (image and boot area: -m bisected; heap)",
     "KiB", None, 256, None),
    ("gateway_text_data_kib", "gateway, text + data", "KiB", 217, 192, None),
]
SMP_GOAL = "<= 1/10 of Linux's"


class BenchAllError(ValueError):
    pass


def _load(root, board, kind):
    path = os.path.join(root, "build", "bench", "%s-%s.json" % (board, kind))
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _get(d, *keys):
    for k in keys:
        if not isinstance(d, (dict, list)):
            return None
        try:
            d = d[k]
        except (KeyError, IndexError, TypeError):
            return None
    return d


def _kib(n):
    return round(n / 1024.0, 1) if isinstance(n, (int, float)) else None


def _worst(threads):
    vals = [t.get("max") for t in threads or [] if isinstance(t.get("max"), (int, float))]
    return max(vals) if vals else None


def _avg_of(v):
    """A sched figure: a number, or {"min", "avg", "max"}: its avg."""
    return v.get("avg") if isinstance(v, dict) else v


def measured(root, board):
    """{key: (takt, linux measured)} from the per-benchmark results."""
    lat, smp = _load(root, board, "latency"), _load(root, board, "latency-smp")
    sched, boot, net = (_load(root, board, k) for k in ("sched", "boot", "net"))
    rows = {r.get("dtb", ""): r.get("entry_to_main_us", [None])[0]
            for r in _get(boot, "boot") or []}
    qemu_dtb = next((v for k, v in rows.items() if "QEMU" in k), None)
    board_dtb = next((v for k, v in rows.items() if "-dtb" in k or "board's DTB" in k), None)
    text, data, bss = (_get(boot, k) for k in ("text", "data", "bss"))
    ram = _get(boot, "all_ram_kib")
    gw = _get(net, "gateway_size") or {}
    return {
        "cyclictest_avg_ns": (_get(lat, "icount", "takt", "overall", "avg"),
                              _get(lat, "icount", "linux", "overall", "avg")),
        "cyclictest_max_ns": (_get(lat, "icount", "takt", "overall", "max"),
                              _get(lat, "icount", "linux", "overall", "max")),
        "cyclictest_nolead_avg_ns": (_get(lat, "icount", "takt_nolead", "overall", "avg"), None),
        "cyclictest_nolead_max_ns": (_get(lat, "icount", "takt_nolead", "overall", "max"), None),
        "smp_worst_cpu_max_ns": (_worst(_get(smp, "icount", "takt", "threads")),
                                 _worst(_get(smp, "icount", "linux", "threads"))),
        "ctx_switch_ns": (_get(sched, "results", "ctx_switch_ns"), None),
        "timer_wake_ns": (_avg_of(_get(sched, "results", "timer_wake_ns")), None),
        "timer_late_ns": (_avg_of(_get(sched, "results", "timer_late_ns")), None),
        "boot_qemu_dtb_us": (qemu_dtb, None),
        "boot_board_dtb_us": (board_dtb, None),
        "hello_text_data_kib": (_kib(text + data) if None not in (text, data) else None, None),
        "hello_static_ram_kib": (_kib(text + data + bss) if None not in (text, data, bss)
                                 else None, None),
        "hello_run_ram_kib": (ram, None),
        "gateway_text_data_kib": (_kib(gw["text"] + gw["data"]) if "text" in gw else None,
                                  None),
    }


def figures(root, board):
    got = measured(root, board)
    out = []
    for key, what, unit, now, goal, linux in FIGURES:
        takt, lx = got[key]
        if key == "smp_worst_cpu_max_ns" and isinstance(lx, (int, float)):
            goal = round(lx / 10.0, 1)     # the goal is relative to Linux's
        out.append({"key": key, "figure": what, "unit": unit, "takt": _num(takt),
                    "linux_measured": _num(lx), "now": now, "goal": goal,
                    "linux_issue": linux,
                    "goal_met": (takt <= goal) if None not in (takt, goal) else None})
    return out


def _num(v):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return round(v, 3) if isinstance(v, float) else v


def collect(root, board, runs, path=None):
    """Merge this board's figures and the benchmarks' outcome into all.json."""
    path = path or os.path.join(root, "build", "bench", "all.json")
    doc = {"boards": {}}
    if os.path.isfile(path):
        try:
            doc = check(load(path))
        except BenchAllError:
            doc = {"boards": {}}        # an older or damaged file is rewritten
    doc["clock"] = "QEMU -icount shift=0,align=off,sleep=off (guest ns = instructions)"
    doc["boards"][board] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "benches": runs,
        "seconds": round(sum(r.get("seconds", 0) for r in runs.values()), 1),
        "figures": figures(root, board)}
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
    return path


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as e:
        raise BenchAllError("%s: %s" % (path, e.strerror))
    except ValueError as e:
        raise BenchAllError("%s: not JSON: %s" % (path, e))


def check(doc):
    """doc as collect() writes it, else BenchAllError naming what is wrong."""
    boards = doc.get("boards") if isinstance(doc, dict) else None
    if not isinstance(boards, dict) or not boards:
        raise BenchAllError("no 'boards' object: not a bench all result")
    for board, b in boards.items():
        figs = b.get("figures") if isinstance(b, dict) else None
        if not isinstance(figs, list):
            raise BenchAllError("board %s: no 'figures' list" % board)
        for f in figs:
            if not isinstance(f, dict) or not isinstance(f.get("figure"), str):
                raise BenchAllError("board %s: a figure without a name: %r" % (board, f))
            for k in ("takt", "linux_measured", "now", "goal", "linux_issue"):
                v = f.get(k)
                if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
                    raise BenchAllError("board %s, %s: %s is %r, not a number"
                                        % (board, f["figure"], k, v))
    return doc


def _cell(v, unit=""):
    if v is None:
        return "—"
    s = ("%.1f" % v).rstrip("0").rstrip(".") if isinstance(v, float) else str(v)
    return s + (" " + unit if unit else "")


def render(doc):
    """The README's table (markdown) from a bench all result."""
    check(doc)
    boards = sorted(doc["boards"])
    head = ["figure", "issue: before", "goal"]
    for b in boards:
        head += ["Takt %s" % b, "Linux %s" % b]
    head.append("Linux (issue)")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    first = doc["boards"][boards[0]]["figures"]
    for i, f in enumerate(first):
        u = f.get("unit", "")
        goal = _cell(f.get("goal"), u) if f["key"] != "smp_worst_cpu_max_ns" else SMP_GOAL
        row = [f["figure"], _cell(f.get("now"), u), goal]
        for b in boards:
            g = next((x for x in doc["boards"][b]["figures"] if x.get("key") == f.get("key")),
                     {})
            mark = " ✓" if g.get("goal_met") else ""
            row += [_cell(g.get("takt"), u) + mark, _cell(g.get("linux_measured"), u)]
        row.append(_cell(f.get("linux_issue"), u))
        lines.append("| " + " | ".join(row) + " |")
    dates = ", ".join("%s %s (%s s)" % (b, doc["boards"][b].get("date", "?"),
                                         _cell(doc["boards"][b].get("seconds")))
                      for b in boards)
    lines.append("")
    lines.append("Under %s; ✓: at its goal; —: not measured (see build/bench/all.json's "
                 "\"benches\"). Measured %s." % (doc.get("clock", "QEMU -icount"), dates))
    return "\n".join(lines)


def replace_section(text, table):
    """text with the lines between BEGIN and END replaced by table."""
    a, b = text.find(BEGIN), text.find(END)
    if a < 0 or b < 0 or b < a:
        raise BenchAllError("README has no '%s' ... '%s' section" % (BEGIN, END))
    return text[:a + len(BEGIN)] + "\n" + table + "\n" + text[b:]


def write_readme(all_path, readme_path):
    table = render(load(all_path))
    try:
        with open(readme_path) as f:
            text = f.read()
    except OSError as e:
        raise BenchAllError("%s: %s" % (readme_path, e.strerror))
    new = replace_section(text, table)
    with open(readme_path, "w") as f:
        f.write(new)
    return table


def main(argv):
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    if not argv or argv[0] != "readme" or len(argv) > 3:
        print("usage: bench_all.py readme [ALL_JSON] [README]", file=sys.stderr)
        return 2
    all_path = argv[1] if len(argv) > 1 else os.path.join(root, "build", "bench", "all.json")
    readme = argv[2] if len(argv) > 2 else os.path.join(root, "README.md")
    try:
        print(write_readme(all_path, readme))
    except BenchAllError as e:
        print("bench_all: %s" % e, file=sys.stderr)
        return 1
    print("readme: %s" % readme)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
