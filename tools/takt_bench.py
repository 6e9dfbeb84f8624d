"""./takt bench: benchmarks, never pass/fail (DESIGN.md section 7).

`boot`: the hello image's size (text, data, bss) and its entry-to-main time
under QEMU -icount shift=0,align=off,sleep=off, where one guest instruction
is one virtual ns, so the figure repeats to the tick. Run twice to show it.
On microvm also all the RAM hello runs in: the smallest QEMU -m it boots
and powers off in with status 0 (bisected in 16 KiB steps), less the 1 MiB
below its load address, which holds the image and its boot area; plus the
heap hello says it took ("heap: N bytes taken"), which at that size lives in
the 639 KiB below the load address (the largest RAM region left), where the
bisection does not see it. qemu-virt-arm64's QEMU loads the image 2 MiB in
and needs room for the DTB after it, so there the bisection would measure
QEMU. Results go to build/bench/<board>-boot.json.

`console`: the longest interrupts-masked stretch a console write causes
(tests/bench/console), through the transmit ring and with every write polled
(console.tx=polled: the console before the ring), beside what the polled
path would mask on a real UART at 115200 baud. build/bench/<board>-console.json.
"""
import json
import os
import re
import struct
import subprocess

ICOUNT = ["-icount", "shift=0,align=off,sleep=off"]
BENCHES = ["boot", "sched", "console"]

SCHED_GOALS = {  # from the EDF kernel issue, in guest ns under -icount
    "ctx_switch_ns": 150,
    "timer_wake_ns": 400,
}


def size_of(build_dir):
    """(text, data, bss) from the build's size.txt (berkeley format)."""
    with open(os.path.join(build_dir, "size.txt")) as f:
        m = re.search(r"^\s*(\d+)\s+(\d+)\s+(\d+)\s", f.read(), re.M)
    if not m:
        raise ValueError("no size line in size.txt")
    return tuple(int(x) for x in m.groups())


def qemu_output(cmd, timeout):
    """What one QEMU run printed (stdout and stderr), stdin closed."""
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT,
                          timeout=timeout).stdout.decode("utf-8", "replace")


def boot_us(qemu_cmd, extra):
    """Entry-to-main in us as hello prints it, from one icount run."""
    out = qemu_output(qemu_cmd + ICOUNT + extra, 120)
    m = re.search(r"^boot: entry to main in ([0-9.]+) us", out, re.M)
    if not m:
        raise ValueError("hello printed no boot line:\n" + out[-2000:])
    return float(m.group(1))


RAM_STEP_KIB = 16
PT_LOAD = 1


def load_kib(elf):
    """The lowest physical address (KiB) of the ELF64's loadable segments."""
    with open(elf, "rb") as f:
        h = f.read(64)
        if len(h) < 64 or h[:4] != b"\x7fELF" or h[4] != 2 or h[5] != 1:
            raise ValueError("%s: not a little-endian ELF64 file" % elf)
        phoff, = struct.unpack_from("<Q", h, 32)
        phentsize, phnum = struct.unpack_from("<HH", h, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    if phentsize < 56 or len(ph) < phentsize * phnum:
        raise ValueError("%s: truncated program headers" % elf)
    lows = [struct.unpack_from("<Q", ph, i * phentsize + 24)[0] for i in range(phnum)
            if struct.unpack_from("<I", ph, i * phentsize)[0] == PT_LOAD]
    if not lows:
        raise ValueError("%s: no loadable segment" % elf)
    return min(lows) // 1024


def ram_kib_of(qemu_cmd):
    """The RAM of a QEMU command's -m (K, M or G suffix; M when none), in KiB."""
    i = qemu_cmd.index("-m") + 1 if "-m" in qemu_cmd else len(qemu_cmd)
    if i >= len(qemu_cmd):
        raise ValueError("the QEMU command has no -m SIZE")
    m = re.fullmatch(r"(\d+)([KMG]?)", qemu_cmd[i])
    if not m:
        raise ValueError("-m %s: not a size" % qemu_cmd[i])
    return int(m.group(1)) * {"K": 1, "M": 1024, "": 1024, "G": 1024 * 1024}[m.group(2)]


def with_ram(qemu_cmd, kib):
    i = qemu_cmd.index("-m")
    return qemu_cmd[:i + 1] + ["%dK" % kib] + qemu_cmd[i + 2:]


def runs_in(qemu_cmd, kib):
    """Does hello boot and power off with status 0 in kib KiB of RAM?"""
    try:
        out = qemu_output(with_ram(qemu_cmd, kib), 60)
    except subprocess.TimeoutExpired:
        return False
    return "power: off (exit status 0)" in out and "PANIC" not in out


HEAP_LINE = re.compile(r"^heap: (\d+) bytes taken\s*$", re.M)


def heap_kib_of(out):
    """hello's "heap: N bytes taken" line, in KiB rounded up."""
    m = HEAP_LINE.search(out)
    if not m:
        raise ValueError("hello did not say what it took from the heap ('heap: N bytes taken')")
    return -(-int(m.group(1)) // 1024)


def min_ram_kib(qemu_cmd, lo, hi, step=RAM_STEP_KIB, runs=runs_in):
    """The smallest RAM (KiB, a multiple of step, above lo) hello runs in; lo is
    taken to fail (the image starts there), hi must run (checked). More RAM
    never makes it fail, so a bisection finds it."""
    if not runs(qemu_cmd, hi):
        raise ValueError("hello does not run with -m %dK" % hi)
    lo, hi = lo // step, -(-hi // step)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if runs(qemu_cmd, mid * step):
            hi = mid
        else:
            lo = mid
    return hi * step


def write_result(root, board, kind, result):
    """build/bench/<board>-<kind>.json; returns its path."""
    out_dir = os.path.join(root, "build", "bench")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "%s-%s.json" % (board, kind))
    with open(path, "w") as f:
        json.dump(result, f, indent=2)
    return path


def bench_boot(root, board, build_dir, qemu_cmd, variants, min_ram=False):
    """variants: list of (label, extra QEMU args). min_ram: bisect -m too."""
    text, data, bss = size_of(build_dir)
    rows = []
    for label, extra in variants:
        runs = [boot_us(qemu_cmd, extra) for _ in range(2)]
        rows.append({"dtb": label, "entry_to_main_us": runs})
    result = {"board": board, "app": "hello", "text": text, "data": data, "bss": bss,
              "image_bytes": os.path.getsize(os.path.join(build_dir, "takt.bin")),
              "qemu": qemu_cmd + ICOUNT, "boot": rows}
    if min_ram:
        print("[bench boot] the smallest RAM hello runs in (QEMU -m, bisected) ...", flush=True)
        load = load_kib(os.path.join(build_dir, "takt.elf"))
        result["load_kib"] = load
        result["min_ram_kib"] = min_ram_kib(qemu_cmd, load, ram_kib_of(qemu_cmd))
        # there the heap is below the load address, left out of the bisection
        result["heap_kib"] = heap_kib_of(qemu_output(with_ram(qemu_cmd, result["min_ram_kib"]), 60))
        result["all_ram_kib"] = result["min_ram_kib"] - load + result["heap_kib"]
    path = write_result(root, board, "boot", result)
    print("\nboot benchmark, %s, hello (QEMU %s)" % (board, " ".join(ICOUNT)))
    print("  size: text %d  data %d  bss %d  (text+data %d, all %d bytes; image file %d)"
          % (text, data, bss, text + data, text + data + bss, result["image_bytes"]))
    for r in rows:
        print("  entry to main, %-28s %s us" % (r["dtb"] + ":",
              "  ".join("%.3f" % v for v in r["entry_to_main_us"])))
    if min_ram:
        print("  runs in -m %dK: %d KiB above its load address (%d KiB) and %d KiB of heap "
              "below it, %d KiB in all; with less than a free 2 MiB block its thread stacks "
              "have no guard page"
              % (result["min_ram_kib"], result["min_ram_kib"] - result["load_kib"],
                 result["load_kib"], result["heap_kib"], result["all_ram_kib"]))
    print("results: " + path)
    return result


def parse_bench_lines(out):
    """[(name, number)] of the "bench: NAME VALUE" lines of a guest's output.
    The serial console ends lines with \\r\\n: the value is stripped and made a
    JSON number (int, else float; "min 1 max 2" a dict of them) so that results files hold numbers, not
    strings such as "272\\r"; a value that is not a number is an error."""
    lines = []
    for name, value in re.findall(r"^bench: (\S+)[ \t]+(.*?)\s*$", out, re.M):
        words = value.split()
        if len(words) == 1:
            lines.append((name, _number(name, words[0])))
        elif len(words) % 2 == 0 and words:
            # "min 800 avg 807 max 815": one number per label
            lines.append((name, {k: _number(name, v) for k, v in zip(words[::2], words[1::2])}))
        else:
            raise ValueError("bench: %s: value %r is not a number" % (name, value))
    return lines


def _number(name, text):
    """int, else float, of one bench: value; anything else is an error."""
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    raise ValueError("bench: %s: value %r is not a number" % (name, text))


def bench_sched(root, board, build_dir, qemu_cmd):
    """Run tests/bench/sched under -icount and tabulate its bench: lines."""
    out = qemu_output(qemu_cmd + ICOUNT, 600)
    lines = parse_bench_lines(out)
    if not lines:
        raise ValueError("the sched benchmark printed no results:\n" + out[-2000:])
    result = {"board": board, "qemu": qemu_cmd + ICOUNT, "results": dict(lines)}
    path = write_result(root, board, "sched", result)
    print("\nsched benchmark, %s (QEMU %s; guest ns = instructions)" % (board, " ".join(ICOUNT)))
    for name, value in lines:
        goal = SCHED_GOALS.get(name)
        print("  %-22s %-32s %s" % (name, value, "(goal <= %d)" % goal if goal else ""))
    picks = {int(n.rsplit("_", 1)[1]): v for n, v in lines if n.startswith("wake_pick_ns_")}
    if picks:
        lo, hi = min(picks), max(picks)
        print("  wake+pick with %d ready vs %d ready: x%.2f (goal <= x2)"
              % (hi, lo, picks[hi] / picks[lo]))
    print("results: " + path)
    return result


BAUD_115200_US_PER_BYTE = 10 / 115200 * 1e6   # start + 8 data + stop bits: 86.8 us
CONSOLE_PHASES = [("line256", "one 256-byte line, 32 times"),
                  ("printk_short", "200 short tk_printk lines"),
                  ("threads4", "4 threads x 50 lines of 121 bytes"),
                  ("write8k", "one 8 KiB write (twice the ring)")]


def console_run(qemu_cmd, extra):
    """The bench: lines of one icount run of tests/bench/console."""
    return parse_console(qemu_output(qemu_cmd + ICOUNT + extra, 300))


def parse_console(out):
    """{name: value} of the console benchmark's bench: lines, numbers as numbers."""
    # "transmit" names the console's path (ring, polled); every other value is a number
    lines = {}
    for name, value in re.findall(r"^bench: (\S+)[ \t]+(\S+)\s*$", out, re.M):
        lines[name] = value if name == "transmit" else _number(name, value)
    if "write8k_max_masked_ns" not in lines:
        raise ValueError("the console benchmark printed no results:\n" + out[-2000:])
    return lines


def bench_console(root, board, qemu_cmd):
    ring = console_run(qemu_cmd, [])
    polled = console_run(qemu_cmd, ["-append", "console.tx=polled"])
    rows = []
    for name, what in CONSOLE_PHASES:
        sent = int(ring[name + "_longest_write_sent_bytes"])
        rows.append({"workload": name, "what": what, "longest_write_sent_bytes": sent,
                     "polled_max_masked_ns": int(polled[name + "_max_masked_ns"]),
                     "ring_max_masked_ns": int(ring[name + "_max_masked_ns"]),
                     "ring_waits": int(ring[name + "_ring_waits"]),
                     "polled_at_115200_us": round(sent * BAUD_115200_US_PER_BYTE, 1)})
    result = {"board": board, "qemu": qemu_cmd + ICOUNT, "transmit": ring.get("transmit"),
              "ring_bytes": int(ring.get("ring_bytes", 0)), "rows": rows}
    path = write_result(root, board, "console", result)
    print("\nconsole benchmark, %s (QEMU %s; guest ns = instructions)" % (board, " ".join(ICOUNT)))
    print("  longest interrupts-masked stretch inside one console write; transmit: %s, "
          "%d-byte ring" % (result["transmit"], result["ring_bytes"]))
    print("  %-36s %14s %14s %18s" % ("workload", "polled/before", "ring/after",
                                       "polled@115200"))
    for r in rows:
        print("  %-36s %11d ns %11d ns %15.1f us" % (r["what"], r["polled_max_masked_ns"],
              r["ring_max_masked_ns"], r["polled_at_115200_us"]))
    print("  (QEMU's UART never throttles: a real one sends a byte in %.1f us at 115200 baud,"
          " and the polled path masks that long per byte sent; the ring's stretch does not"
          " grow with the baud rate)" % BAUD_115200_US_PER_BYTE)
    print("results: " + path)
    return result
