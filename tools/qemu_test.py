#!/usr/bin/env python3
"""Run one QEMU target test: boot, capture the console, check the result.

Passes when QEMU exits with the expected status, every --expect regex
matches the output, no --reject regex matches it, and, when the output has
a closing 'N passed, N failed' line, N failed is 0 for an expected status
of 0. A run longer than --timeout is killed and fails (a hang is a failure).
"""
import argparse
import os
import re
import select
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--status", type=int, default=0, help="expected exit status")
    ap.add_argument("--expect", action="append", default=[], help="regex that must match")
    ap.add_argument("--reject", action="append", default=[], help="regex that must not match")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--send", nargs=2, action="append", default=[], metavar=("REGEX", "TEXT"),
                    help="once REGEX is in the output, type TEXT into the console "
                         "(\\n, \\r, \\xNN escapes); in order")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    if not cmd:
        ap.error("no command")
    print("$ " + " ".join(cmd), flush=True)
    try:
        sends = [(re.compile(rx, re.M), text.encode().decode("unicode_escape").encode("latin-1"))
                 for rx, text in a.send]
    except (re.error, UnicodeDecodeError) as e:
        ap.error("--send: %s" % e)
    rc, raw = run(cmd, sends, a.timeout)
    if rc is None:
        sys.stdout.write(raw.decode("utf-8", "replace"))
        print(f"\nFAIL: no exit within {a.timeout:g} s (hang)")
        return 1
    out = raw.decode("utf-8", "replace").replace("\r\n", "\n")
    sys.stdout.write(out)
    errors = []
    if rc != a.status:
        errors.append(f"exit status {rc}, expected {a.status}")
    for rx in a.expect:
        if not re.search(rx, out, re.M):
            errors.append(f"missing /{rx}/")
    for rx in a.reject:
        m = re.search(rx, out, re.M)
        if m:
            errors.append(f"unexpected /{rx}/: {m.group(0)!r}")
    tally = re.findall(r"^(\d+) passed, (\d+) failed", out, re.M)
    if a.status == 0 and tally and int(tally[-1][1]) != 0:
        errors.append(f"target reported {tally[-1][1]} failed case(s)")
    for e in errors:
        print("FAIL: " + e)
    if not errors:
        print("PASS")
    return 1 if errors else 0


def run(cmd, sends, timeout):
    """Run cmd, typing each send's text once its regex is in the output
    (the console as QEMU's stdin). Returns (exit status, output); the status
    is None when the run outlived timeout (it is killed)."""
    if not sends:
        try:
            p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            return None, e.output or b""
        return p.returncode, p.stdout
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    out, end = b"", time.monotonic() + timeout
    try:
        while True:
            left = end - time.monotonic()
            if left <= 0:
                p.kill()
                p.wait()
                return None, out
            ready, _, _ = select.select([p.stdout], [], [], min(left, 0.5))
            if ready:
                data = os.read(p.stdout.fileno(), 4096)
                if not data:
                    break
                out += data
            text = out.decode("utf-8", "replace").replace("\r\n", "\n")
            while sends and sends[0][0].search(text):
                try:
                    p.stdin.write(sends.pop(0)[1])
                    p.stdin.flush()
                except BrokenPipeError:
                    sends.clear()
    finally:
        if p.poll() is None and time.monotonic() >= end:
            p.kill()
    return p.wait(), out


if __name__ == "__main__":
    sys.exit(main())
