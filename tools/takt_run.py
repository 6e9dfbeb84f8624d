"""./takt run's pieces (tools/takt_run.py): the user-mode NIC, gdb sessions, and the
console kept while QEMU runs (cyclictest's report, a crash core saved as crash.core,
a --trace run's trace converted). `cli` is the takt front end module."""

import os
import re
import subprocess
import sys

cli = None      # set by ./takt before use


def die_with_parent():
    """In QEMU's child process before exec: QEMU gets SIGKILL when ./takt dies (a
    CI job or a test that kills ./takt run must not leave QEMU running; with
    exec, as before the console was kept, they were one process)."""
    import ctypes
    import signal
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def gdb_session(cmd, build_dir, opts):
    """QEMU with its gdbstub and gdb-multiarch on takt.elf (tools/takt_debug.py)."""
    import takt_debug
    log = os.path.join(build_dir, "console.log")
    halt = opts["--gdb"] == "halt"
    print("[debug] QEMU %s; its console: %s" % ("halted at the first instruction" if halt
          else "running", os.path.relpath(log)), flush=True)
    try:
        rc, _ = takt_debug.session(cmd, os.path.join(build_dir, "takt.elf"), log, halt=halt,
                                   batch=opts.get("--batch"))
    except takt_debug.DebugError as e:
        raise cli.Failure("debug: %s" % e)
    return rc


def user_nic(port, metrics, board_nic=None):
    """QEMU args for a user-mode NIC (netdev n0 on the board's NIC, run.json "nic"
    from bsp/<board>/board.cmake TAKT_QEMU_NIC, else virtio-net); with the metrics
    endpoint, host port (8080, or a free one when that is taken) forwarded to the
    guest's port 80."""
    import socket
    fwd, url = "", None
    if metrics:
        if port is not None:
            chosen = int(port)      # checked by cmd_run before the build
        else:
            chosen = 8080
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", chosen))
                except OSError:
                    s.bind(("127.0.0.1", 0))
                    chosen = s.getsockname()[1]
        fwd = ",hostfwd=tcp:127.0.0.1:%d-:80" % chosen
        url = "http://127.0.0.1:%d" % chosen
    # (the virtio boards' virtio-rng, the entropy source TLS needs, is in their
    # run command: TAKT_QEMU in bsp/<board>/board.cmake)
    nic = board_nic or ["-device", "virtio-net-device,netdev=n0"]
    return ["-netdev", "user,id=n0" + fwd] + list(nic), url


RUN_ICOUNT = ["-icount", "shift=0,align=off,sleep=off"]


class ZeroRowFilter:
    """The console as shown, less cyclictest's histogram rows with no samples (2000
    1-ns rows in the demo, a few dozen used); whole lines only, other text at once."""
    ZERO = re.compile(rb"^\d{6} 0{6}(\t0{6})*\r?$")

    def __init__(self):
        self.pending, self.hidden = b"", 0

    def feed(self, data, end=False):
        lines = (self.pending + data).split(b"\n")
        self.pending = lines.pop()
        if end or not re.fullmatch(rb"[0-9 \t\r]*", self.pending):
            lines.append(self.pending)      # not a row in the making: show it now
            self.pending = b""
            tail = lines.pop()
        else:
            tail = None
        kept = [ln for ln in lines if not self.ZERO.match(ln)]
        self.hidden += len(lines) - len(kept)
        return b"".join(ln + b"\n" for ln in kept) + (tail or b"")


def run_with_report(cmd, build_dir):
    """Boot cyclictest with its console shown and kept, then summarise it with
    tools/cyclictest_report.py (JSON and histogram plot next to the image)."""
    import cyclictest_report
    logpath = os.path.join(build_dir, "cyclictest.log")
    cli.echo(cmd, sys.stdout)
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                preexec_fn=die_with_parent)
    except OSError as e:
        raise cli.Failure("cannot run %s: %s" % (cmd[0], e))
    chunks, shown = [], ZeroRowFilter()
    try:
        while True:
            data = os.read(proc.stdout.fileno(), 4096)
            if not data:
                break
            chunks.append(data)
            sys.stdout.buffer.write(shown.feed(data))
            sys.stdout.buffer.flush()
    finally:
        rc = proc.wait()
    sys.stdout.buffer.write(shown.feed(b"", end=True))
    if shown.hidden:
        print("[run] %d histogram rows with no samples not shown (the log has them)"
              % shown.hidden)
    with open(logpath, "wb") as f:
        f.write(b"".join(chunks))
    append = cmd[cmd.index("-append") + 1] if "-append" in cmd[:-1] else ""
    demo = re.search(rb"running the demo 'cyclictest ([^']*)'", b"".join(chunks))
    args = append or (demo.group(1).decode() if demo else "")
    unit = "ns" if re.search(r"(^|\s)(-N|--nsecs)(\s|$)", args) else "us"
    print("[run] QEMU exited %d; console log: %s" % (rc, os.path.relpath(logpath)), flush=True)
    if cyclictest_report.parse(b"".join(chunks).decode("utf-8", "replace"))["threads"]:
        cyclictest_report.main(["--unit", unit, "--label", "cyclictest",
                                "--json", os.path.relpath(os.path.join(build_dir, "cyclictest.json")),
                                "--png", os.path.relpath(os.path.join(build_dir, "cyclictest.png")), logpath])
    return rc, logpath


def save_trace(logpath, build_dir, rc):
    """The TRACE block of a --trace run's console as trace.bin, trace.ftrace and
    trace-ctf/ (tools/takt_trace.py)."""
    import takt_trace
    out = {k: os.path.relpath(os.path.join(build_dir, v)) for k, v in
           (("bin", "trace.bin"), ("ftrace", "trace.ftrace"), ("ctf", "trace-ctf"))}
    if takt_trace.main([logpath, "--bin", out["bin"], "--ftrace", out["ftrace"],
                        "--ctf", out["ctf"], "--summary"]) != 0:
        raise cli.Failure("no trace saved (the console log holds no whole TRACE block)")
    print("[run] trace: %s (Perfetto's UI opens it), %s/ (babeltrace2), %s"
          % (out["ftrace"], out["ctf"], out["bin"]), flush=True)
    return rc


def run_keeping_console(cmd, build_dir):
    """Boot with the console shown (the terminal stays QEMU's input: Ctrl-A X) and
    kept in build_dir/console.log; a crash core on it (a panic's CORE BEGIN block,
    kernel/crash_core.c) is saved beside it as crash.core (tools/takt_crash.py).
    (status, the console log's path)."""
    import takt_crash
    logpath = os.path.join(build_dir, "console.log")
    try:
        os.unlink(os.path.join(build_dir, "crash.core"))    # an earlier run's
    except FileNotFoundError:
        pass
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                preexec_fn=die_with_parent)
    except OSError as e:
        raise cli.Failure("cannot run %s: %s" % (cmd[0], e))
    with open(logpath, "wb") as log:
        while True:
            try:
                data = os.read(proc.stdout.fileno(), 4096)
            except KeyboardInterrupt:
                continue                # QEMU got it too and decides (it ends on ^C)
            if not data:
                break
            log.write(data)
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
    rc = proc.wait()
    print("\n[run] QEMU exited %d; console log: %s" % (rc, os.path.relpath(logpath)), flush=True)
    try:
        core = takt_crash.save(logpath)
    except (takt_crash.CrashError, OSError) as e:
        print("[run] crash core not saved: %s" % e, flush=True)
        return rc or 1, logpath
    if core:
        elf = os.path.relpath(os.path.join(build_dir, "takt.elf"))
        script = os.path.relpath(os.path.join(cli.ROOT, "tools", "takt_core_gdb.py"))
        print("[run] crash core: %s; open it with\n  gdb-multiarch -x %s %s %s"
              % (os.path.relpath(core), script, elf, os.path.relpath(core)), flush=True)
    return rc, logpath
