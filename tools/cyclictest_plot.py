"""Latency plots with matplotlib (Debian's python3-matplotlib, installed by ./takt setup).

histogram(): cyclictest's latency histogram, one series of points per thread (./takt run)
or per system (./takt bench latency), latency on a log axis, count on a log axis.
side_by_side(): the same histogram beside a bar chart of min/avg/p99/max per system
(./takt bench latency, Takt beside Linux PREEMPT_RT), with the goal and Linux's figure
marked as lines. Bad input (no series, no points, a latency <= 0 on the log axis, a count
< 0) raises PlotError with a message; nothing is drawn then.
"""
import os
import sys

DEBIAN_DIST = "/usr/lib/python3/dist-packages"


class PlotError(ValueError):
    pass


def _pyplot():
    """matplotlib's pyplot on the Agg backend (no display needed)."""
    try:
        import matplotlib
    except ImportError:
        # Debian's package is in Debian's python3 path; a python3 of another origin
        # (pyenv, venv) of the same version can load it from there.
        if DEBIAN_DIST not in sys.path and os.path.isdir(DEBIAN_DIST):
            sys.path.append(DEBIAN_DIST)
            return _pyplot()
        raise PlotError("matplotlib is missing: run ./takt setup (it installs Debian's "
                        "python3-matplotlib)")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def check_series(series):
    """series: [(label, [(latency_us, count), ...])]; PlotError when unusable."""
    if not series:
        raise PlotError("nothing to plot: no series")
    for label, pts in series:
        if not pts:
            raise PlotError("series %r has no points" % label)
        for x, n in pts:
            if not isinstance(x, (int, float)) or not isinstance(n, (int, float)):
                raise PlotError("series %r: point %r is not two numbers" % (label, (x, n)))
            if n < 0:
                raise PlotError("series %r: negative count %r" % (label, n))
    if not any(n > 0 for _, pts in series for _, n in pts):
        raise PlotError("every count is 0: nothing to plot")


def _marks(ax, marks, vertical):
    """marks: [(label, value_us)] drawn as dashed lines across the axis."""
    styles = ["--", ":", "-."]
    for k, (label, v) in enumerate(marks or []):
        if v is None or v <= 0:
            continue
        line = ax.axvline if vertical else ax.axhline
        line(v, linestyle=styles[k % len(styles)], color="C%d" % (k + 5), linewidth=1.2,
             label="%s: %s" % (label, _num(v)))


def _num(v):
    return ("%.3f" % v).rstrip("0").rstrip(".") if v < 10 else "%.0f" % v


def _draw_hist(ax, series, marks, xlabel):
    for label, pts in series:
        pts = sorted((x, n) for x, n in pts if x > 0 and n > 0)
        if pts:
            # points, not a line: empty buckets are left out (log axis), and a line
            # across them would draw samples that do not exist
            ax.plot([x for x, _ in pts], [n for _, n in pts], marker="o", markersize=3,
                    linestyle="none", alpha=0.8, label=label)
    if not ax.lines:
        raise PlotError("no latency > 0 to put on the log axis")
    ax.set_xscale("log")
    ax.set_yscale("log")
    from matplotlib.ticker import FuncFormatter, NullFormatter
    xs = [x for _, pts in series for x, n in pts if x > 0 and n > 0]
    plain = FuncFormatter(lambda v, _: "%g" % v)        # 880 and 100000, not 8.8x10^2
    ax.xaxis.set_major_formatter(plain)
    # minor ticks labelled only within one decade (else they overlap)
    ax.xaxis.set_minor_formatter(plain if max(xs) < 10 * min(xs) else NullFormatter())
    ax.set_xlabel(xlabel)
    ax.set_ylabel("samples per bucket")
    _marks(ax, marks, vertical=True)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")


def _save(fig, plt, path):
    d = os.path.dirname(path)
    if d:
        os.makedirs(d, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def histogram(series, path, title, xlabel="latency (us)", marks=None):
    """One histogram line per series; marks as vertical lines (goal, Linux)."""
    check_series(series)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.set_title(title)
    _draw_hist(ax, series, marks, xlabel)
    _save(fig, plt, path)


FIGURES = ("min", "avg", "p99", "max")


def side_by_side(series, systems, path, title, xlabel="latency (us)", marks=None):
    """Left: the histograms; right: min/avg/p99/max per system on a log axis.
    systems: [(label, {"min": us, "avg": us, "p99": us, "max": us})]."""
    check_series(series)
    if not systems:
        raise PlotError("no system figures for the bar chart")
    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    fig.suptitle(title)
    _draw_hist(left, series, marks, xlabel)
    left.set_title("histogram")
    width = 0.8 / len(systems)
    for k, (label, figs) in enumerate(systems):
        xs = [i + (k - (len(systems) - 1) / 2) * width for i in range(len(FIGURES))]
        vals = [figs.get(f) or 0 for f in FIGURES]
        if any(v < 0 for v in vals):
            raise PlotError("system %r: a negative latency %r" % (label, vals))
        right.bar(xs, [v if v > 0 else float("nan") for v in vals], width, label=label)
    right.set_xticks(range(len(FIGURES)), FIGURES)
    right.set_yscale("log")
    right.set_ylabel(xlabel)
    right.set_xlabel("figure")
    right.set_title("per system")
    _marks(right, marks, vertical=False)
    right.grid(True, axis="y", which="both", alpha=0.3)
    right.legend(fontsize="small")
    _save(fig, plt, path)
