"""./takt bench: the benchmarks' front end (figures, never pass/fail): boot, sched,
console (tools/takt_bench.py), latency (tools/bench_latency.py), net
(tools/bench_net.py), tls (tools/bench_tls.py), smp (tools/bench_smp.py), profile
(tools/takt_profile.py) and all (tools/bench_all.py, the README's table); and soak
(tools/bench_soak_run.py), the one with a verdict: exit status 0 pass, 1 fail. `cli`
is the takt front end module."""

import json
import re
import os
import subprocess

cli = None      # set by ./takt before run()


def run(opts, pos):
    import takt_bench
    board = cli.check_board(opts.get("-b", cli.DEFAULT_BOARD))
    which = pos[0] if pos else "boot"
    known = list(takt_bench.BENCHES) + ["latency", "net", "tls", "smp", "profile", "soak", "all"]
    if which not in known:
        raise cli.UsageError("unknown benchmark '%s' (known: %s)" % (which, ", ".join(known)))
    if opts.get("--readme") and which != "all":
        raise cli.UsageError("--readme goes with ./takt bench all")
    if opts.get("--sleep-on") and which != "tls":
        raise cli.UsageError("--sleep-on goes with ./takt bench tls")
    for opt in ("--hours", "--rate"):
        if opt in opts and which != "soak":
            raise cli.UsageError("%s goes with ./takt bench soak" % opt)
    if which == "soak":
        return bench_soak(board, opts)
    cli.run_setup(quiet=True)
    if which == "all":
        return bench_all(board, opts)
    if which == "latency":
        return bench_latency(board)
    if which == "net":
        return bench_net(board)
    if which == "tls":
        import bench_tls
        return bench_tls.run_bench(cli, board, bool(opts.get("--sleep-on")))
    if which == "smp":
        return bench_smp(board)
    if which == "profile":
        return bench_profile(board)
    if which == "console":
        build_dir = cli.build_app(board, "console-bench", os.path.join(cli.ROOT, "tests", "bench", "console"))
        with open(os.path.join(build_dir, "run.json")) as f:
            qemu = json.load(f)["qemu"]
        try:
            takt_bench.bench_console(cli.ROOT, board, qemu)
        except (OSError, ValueError, subprocess.TimeoutExpired) as e:
            raise cli.Failure("bench console: %s" % e)
        return 0
    if which == "sched":
        build_dir = cli.build_app(board, "sched-bench", os.path.join(cli.ROOT, "tests", "bench", "sched"))
        with open(os.path.join(build_dir, "run.json")) as f:
            qemu = json.load(f)["qemu"]
        try:
            takt_bench.bench_sched(cli.ROOT, board, build_dir, qemu)
        except (OSError, ValueError, subprocess.TimeoutExpired) as e:
            raise cli.Failure("bench sched: %s" % e)
        return 0
    build_dir = cli.build_app(board, "hello", os.path.join(cli.ROOT, "apps", "hello"))
    with open(os.path.join(build_dir, "run.json")) as f:
        qemu = json.load(f)["qemu"]
    variants = [("the DTB QEMU passes" if board == "qemu-virt-arm64"
                 else "the board's DTB, as booted", [])]
    dtb = os.path.join(build_dir, "board.dtb")
    if board == "qemu-virt-arm64":
        variants.append(("the board DTB (-dtb)", ["-dtb", dtb]))
    try:
        takt_bench.bench_boot(cli.ROOT, board, build_dir, qemu, variants,
                              min_ram=board == "qemu-microvm-x86_64")
    except (OSError, ValueError, subprocess.TimeoutExpired) as e:
        raise cli.Failure("bench boot: %s" % e)
    return 0


def bench_all(board, opts):
    """`./takt bench all`: every benchmark in turn (a failure is recorded, the rest
    run), then build/bench/all.json (tools/bench_all.py); --readme also writes the
    README's table of figures from it."""
    import time
    import bench_all as ba
    runs, t0 = {}, time.monotonic()
    for k, name in enumerate(ba.ORDER):
        print("[bench all] %d/%d %s on %s ..." % (k + 1, len(ba.ORDER), name, board), flush=True)
        t = time.monotonic()
        try:
            run(dict(opts, **{"--readme": False}), [name])
            runs[name] = {"status": "ok"}
        except cli.Failure as e:
            runs[name] = {"status": "failed: %s" % e}
        runs[name]["seconds"] = round(time.monotonic() - t, 1)
        print("[bench all] %s: %s in %.0f s" % (name, runs[name]["status"],
              runs[name]["seconds"]), flush=True)
    path = ba.collect(cli.ROOT, board, runs)
    print("[bench all] %d benchmarks in %.0f s; figures: %s"
          % (len(runs), time.monotonic() - t0, os.path.relpath(path)))
    if opts.get("--readme"):
        try:
            print(ba.write_readme(path, os.path.join(cli.ROOT, "README.md")))
        except ba.BenchAllError as e:
            raise cli.Failure("bench all: %s" % e)
        print("[bench all] README.md's table of figures rewritten")
    failed = [n for n, r in runs.items() if r["status"] != "ok"]
    return 1 if failed else 0


def qemu_has_network(board):
    """A NIC the user network can reach: the board names one (TAKT_QEMU_NIC), or
    its QEMU machine has virtio-mmio slots for virtio-net (virt, microvm)."""
    with open(os.path.join(cli.ROOT, "bsp", board, "board.cmake")) as f:
        text = re.sub(r"#.*", "", f.read())
    if re.search(r"set\(\s*TAKT_QEMU_NIC\s+\S", text):
        return True
    return bool(re.search(r"set\(\s*TAKT_QEMU\s[^)]*-M\s+(virt|microvm)\b", text))


def bench_soak(board, opts):
    """`./takt bench soak [--hours H] [--rate N]`: tools/bench_soak_run.py; not part of
    `./takt bench all` (an hour of guest time) nor of `./takt test`. Exit 0 pass, 1 fail,
    2 bad --hours or --rate."""
    import bench_soak
    import bench_soak_run
    try:
        hours = bench_soak.parse_hours(opts.get("--hours", "1"))
        rate = bench_soak.parse_rate(opts.get("--rate", str(bench_soak.DEFAULT_RATE)))
    except ValueError as e:
        raise cli.UsageError(str(e))
    if not cli.board_has_qemu(board):
        raise cli.UsageError("board %s cannot be booted in QEMU: the soak runs under QEMU"
                             % board)
    if not qemu_has_network(board):
        raise cli.UsageError("board %s has no network in QEMU (no virtio-mmio, no "
                             "TAKT_QEMU_NIC): the soak needs mosquitto and wrk to reach it"
                             % board)
    cli.run_setup(quiet=True)
    build_dir = cli.build_app(board, "soak", os.path.join(cli.ROOT, "tests", "bench", "soak"))
    try:
        _, passed = bench_soak_run.run(cli.ROOT, board, build_dir, hours, rate)
    except (OSError, ValueError, subprocess.SubprocessError, bench_soak.SoakError) as e:
        raise cli.Failure("bench soak: %s" % e)
    return 0 if passed else 1


def bench_profile(board):
    """`./takt bench profile`: instructions per function on the context switch
    and the timer wake-up (tools/takt_profile.py, QEMU's exec log)."""
    import takt_bench
    import takt_profile
    build_dir = cli.build_app(board, "profile", os.path.join(cli.ROOT, "tests", "bench", "profile"))
    with open(os.path.join(build_dir, "run.json")) as f:
        qemu = json.load(f)["qemu"]
    nm = cmake_cache(build_dir).get("CMAKE_NM", "nm")
    try:
        res = takt_profile.run(qemu, os.path.join(build_dir, "takt.elf"), nm)
    except (OSError, subprocess.SubprocessError, takt_profile.ProfileError) as e:
        raise cli.Failure("bench profile: %s" % e)
    print("\nprofile, %s (QEMU exec log under -icount; instructions per round, CPU 0)" % board)
    print(takt_profile.report(res))
    print("results: " + takt_bench.write_result(cli.ROOT, board, "profile", {"board": board, "windows": res}))
    return 0


def cmake_cache(build_dir):
    """NAME -> value of build_dir's CMakeCache.txt."""
    out = {}
    with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
        for line in f:
            name, sep, value = line.rstrip("\n").partition("=")
            if sep and ":" in name and not line.startswith(("#", "//")):
                out[name.split(":")[0]] = value
    return out


def bench_net(board):
    """`./takt bench net`: tools/bench_net.py (wrk against the same small page on
    Takt and on Linux's busybox httpd, same QEMU machine, wall clock), the
    gateway's image size, and cyclictest's wake-up latency with and without HTTP
    load (tools/bench_net_latency.py, under -icount)."""
    import bench_net as bn
    import bench_net_latency as bnl
    takt_cmd, error = None, None
    try:
        build_dir = cli.build_app(board, "net_page", os.path.join(cli.ROOT, "tests", "bench", "net_page"))
        with open(os.path.join(build_dir, "run.json")) as f:
            takt_cmd = bn.with_nic(json.load(f))
    except (cli.Failure, OSError, ValueError, KeyError) as e:
        error = "build failed: %s" % e
    try:
        summary = bn.bench(cli.ROOT, board, takt_cmd, takt_error=error, close=True, repeats=3)
        gw = cli.build_app(board, "gateway", os.path.join(cli.ROOT, "apps", "gateway"))
        with open(os.path.join(gw, "size.txt")) as f:
            sizes = f.read().split("\n")[1].split()
        image = os.path.getsize(os.path.join(gw, "takt.bin"))
        print("\napps/gateway image: takt.bin %d bytes (text %s, data %s, bss %s; goal "
              "256 KiB = 262144)" % (image, sizes[0], sizes[1], sizes[2]), flush=True)
        ct = cli.build_app(board, "cyclictest_net",
                       os.path.join(cli.ROOT, "tests", "target", "apps", "cyclictest_net"))
        summary["gateway_image_bytes"] = image
        summary["gateway_size"] = dict(zip(("text", "data", "bss"), map(int, sizes[:3])))
        summary["cyclictest_load"] = bnl.bench(ct)
        import takt_bench
        takt_bench.write_result(cli.ROOT, board, "net", summary)
    except (OSError, ValueError, IndexError, subprocess.SubprocessError) as e:
        raise cli.Failure("bench net: %s" % e)
    return 0 if error is None else 1


def bench_latency(board):
    """`./takt bench latency`: tools/bench_latency.py (Takt's cyclictest beside Linux
    PREEMPT_RT's in the same QEMU machine). A Takt build failure still runs the peer."""
    import bench_latency as bl
    qemu, build_dir, error = None, None, None
    try:
        build_dir = cli.build_app(board, "cyclictest", os.path.join(cli.ROOT, "apps", "cyclictest"))
        with open(os.path.join(build_dir, "run.json")) as f:
            qemu = json.load(f)["qemu"]
    except (cli.Failure, OSError, ValueError, KeyError) as e:
        error = str(e)
    try:
        bl.bench(cli.ROOT, board, build_dir, qemu, error)
    except (OSError, ValueError, subprocess.SubprocessError) as e:
        raise cli.Failure("bench latency: %s" % e)
    return 0


def bench_smp(board):
    """`./takt bench smp`: tools/bench_smp.py (cross-CPU wake-up, IPIs, lock holds under
    -icount on 4 vCPUs), then cyclictest -S beside Linux PREEMPT_RT on 4 vCPUs
    (tools/bench_latency.py with smp=True)."""
    import bench_latency as bl
    import bench_smp as bs
    try:
        bs.smp_acceptance(cli.ROOT)  # placement acceptance ratios, on the host
        build_dir = cli.build_app(board, "smp-bench", os.path.join(cli.ROOT, "tests", "bench", "smp"))
        with open(os.path.join(build_dir, "run.json")) as f:
            bs.bench_target(cli.ROOT, board, json.load(f)["qemu"])
        build_dir = cli.build_app(board, "cyclictest", os.path.join(cli.ROOT, "apps", "cyclictest"))
        with open(os.path.join(build_dir, "run.json")) as f:
            qemu = json.load(f)["qemu"]
        bl.bench(cli.ROOT, board, build_dir, qemu, None, smp=True)
    except (OSError, ValueError, KeyError, subprocess.SubprocessError) as e:
        raise cli.Failure("bench smp: %s" % e)
    return 0
