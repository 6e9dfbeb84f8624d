#!/usr/bin/env python3
"""./takt debug and ./takt run --gdb: QEMU with its gdbstub on a unix socket and
gdb-multiarch on takt.elf attached to it.

QEMU's console goes to a log file (gdb owns the terminal); the socket lives in a
private temporary folder so that parallel sessions never meet. As a script this is
the target test driver: it runs a gdb batch file against a QEMU command and checks
gdb's output with regexes (tests/target/CMakeLists.txt, takt_gdb_test).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import takt_gdbproxy

GDB = "gdb-multiarch"
SOCKET_WAIT_S = 20.0      # QEMU creates the socket while it starts, well within this


class DebugError(Exception):
    """A session could not be set up: one line for the user."""


def qemu_args(qemu, sock, halt):
    """QEMU's command with the gdbstub on unix socket SOCK (halted at the first
    instruction when HALT); the console stays on the board's serial (stdio)."""
    cmd = list(qemu) + ["-chardev", "socket,id=takt_gdb,path=%s,server=on,wait=off" % sock,
                        "-gdb", "chardev:takt_gdb"]
    return cmd + (["-S"] if halt else [])


def gdb_args(elf, sock, batch=None):
    cmd = [GDB, "-q", "-nx", "-ex", "set pagination off", "-ex", "set confirm off",
           "-ex", "target remote %s" % sock, elf]
    if batch:
        # -batch ends gdb after the file; a failing command ends it with status 1.
        cmd[1:1] = ["-batch"]
        cmd[-1:-1] = ["-x", batch]
    return cmd


def check_inputs(elf, batch):
    if not shutil.which(GDB):
        raise DebugError("%s is not installed (./takt setup installs it)" % GDB)
    if not os.path.isfile(elf):
        raise DebugError("no %s (build it first)" % elf)
    if batch is not None and not os.path.isfile(batch):
        raise DebugError("--batch: no such file: %s" % batch)


def wait_socket(proc, sock, log):
    """Until QEMU has created SOCK; a QEMU that exits first is an error with its log."""
    deadline = time.monotonic() + SOCKET_WAIT_S
    while not os.path.exists(sock):
        if proc.poll() is not None:
            raise DebugError("QEMU exited %d before its gdbstub was up (log: %s)"
                             % (proc.returncode, log))
        if time.monotonic() > deadline:
            raise DebugError("QEMU created no gdbstub socket within %g s" % SOCKET_WAIT_S)
        time.sleep(0.01)      # polling a readiness condition, not synchronising on time


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def session(qemu, elf, console_log, halt=True, batch=None, timeout=None, capture=False):
    """Run QEMU and gdb; return (gdb's exit status, gdb's output or None)."""
    check_inputs(elf, batch)
    tmp = tempfile.mkdtemp(prefix="takt-gdb-")
    sock = os.path.join(tmp, "gdb.sock")
    try:
        with open(console_log, "wb") as log:
            try:
                proc = subprocess.Popen(qemu_args(qemu, sock, halt), stdin=subprocess.DEVNULL,
                                        stdout=log, stderr=subprocess.STDOUT)
            except OSError as e:
                raise DebugError("cannot run %s: %s" % (qemu[0], e))
            try:
                wait_socket(proc, sock, console_log)
                rc, out = run_gdb(gdb_args(elf, start_proxy(tmp, sock, elf), batch),
                                  timeout, capture)
                if proc.poll() is not None and not capture:
                    print("[debug] QEMU exited %d (the system ended; console: %s)"
                          % (proc.returncode, console_log), flush=True)
                return rc, out
            finally:
                stop(proc)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def start_proxy(tmp, qemu_sock, elf):
    """The thread-aware proxy (tools/takt_gdbproxy.py) on its own socket, for
    one gdb connection; returns that socket's path."""
    path = os.path.join(tmp, "proxy.sock")
    try:
        srv, table = takt_gdbproxy.serve(path, elf)
    except (takt_gdbproxy.ProxyError, OSError) as e:
        raise DebugError(str(e))
    threading.Thread(target=takt_gdbproxy.run, args=(srv, qemu_sock, table),
                     daemon=True).start()
    return path


def run_gdb(cmd, timeout, capture):
    out = subprocess.PIPE if capture else None
    try:
        p = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT if capture else None,
                           stdin=subprocess.DEVNULL if capture else None, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        text = (e.output or b"").decode("utf-8", "replace")
        raise DebugError("gdb did not finish within %g s (hang)\n%s" % (timeout, text))
    return p.returncode, (p.stdout.decode("utf-8", "replace") if capture else None)


def main():
    """Target test: gdb batch FILE against QEMU, gdb's output checked with regexes."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--elf", required=True)
    ap.add_argument("--batch", required=True)
    ap.add_argument("--log", required=True, help="QEMU console log")
    ap.add_argument("--expect", action="append", default=[])
    ap.add_argument("--reject", action="append", default=[])
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--no-halt", action="store_true")
    ap.add_argument("qemu", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    qemu = a.qemu[1:] if a.qemu[:1] == ["--"] else a.qemu
    try:
        rc, out = session(qemu, a.elf, a.log, halt=not a.no_halt, batch=a.batch,
                          timeout=a.timeout, capture=True)
    except DebugError as e:
        print("FAIL: %s" % e)
        return 1
    sys.stdout.write(out)
    errors = [] if rc == 0 else ["gdb exited %d" % rc]
    errors += ["missing /%s/" % rx for rx in a.expect if not re.search(rx, out, re.M)]
    errors += ["unexpected /%s/" % rx for rx in a.reject if re.search(rx, out, re.M)]
    for e in errors:
        print("FAIL: " + e)
    print("PASS" if not errors else "(console: %s)" % a.log)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
