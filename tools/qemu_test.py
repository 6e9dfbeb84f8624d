#!/usr/bin/env python3
"""Run one QEMU target test: boot, capture the console, check the result.

Passes when QEMU exits with the expected status, every --expect regex
matches the output, no --reject regex matches it, and, when the output has
a closing 'N passed, N failed' line, N failed is 0 for an expected status
of 0. A run longer than --timeout is killed and fails (a hang is a failure).

An expected status of 0 also needs the kernel's own power-off line
(tk_poweroff's 'power: off (exit status 0)') and no 'FAIL ' line: QEMU
exits 0 on any guest reset under -no-reboot (a triple fault on x86_64, a
watchdog), so the status alone would pass a run that crashed part-way.
--no-poweroff is for the tests whose success is such a reset.
"""
import argparse
import re
import subprocess
import sys
import time

from takt_guest import Guest, GuestError


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--status", type=int, default=0, help="expected exit status")
    ap.add_argument("--expect", action="append", default=[], help="regex that must match")
    ap.add_argument("--reject", action="append", default=[], help="regex that must not match")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--no-poweroff", action="store_true",
                    help="status 0 comes from a reset: no power-off line is required")
    ap.add_argument("--send", nargs=2, action="append", default=[], metavar=("REGEX", "TEXT"),
                    help="once REGEX is in the output after the previous one's match, "
                         "type TEXT into the console (\\n, \\r, \\xNN escapes)")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    if not cmd:
        ap.error("no command")
    print("$ " + " ".join(cmd), flush=True)
    try:
        sends = [(re.compile(rx, re.M).pattern,
                  text.encode().decode("unicode_escape").encode("latin-1"))
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
    errors += success_checks(out, a.status, a.no_poweroff)
    for e in errors:
        print("FAIL: " + e)
    if not errors:
        print("PASS")
    return 1 if errors else 0


def powered_off(out):
    """The kernel's own end of a run with status 0 (tk_poweroff's line): QEMU's
    status 0 alone is also any guest reset."""
    return re.search(r"^power: off \(exit status 0\)$", out, re.M) is not None


def success_checks(out, status, no_poweroff):
    """What an expected status of 0 needs beyond the status: no failed case
    (a FAIL line, or the closing tally's count) and, unless the run ends in a
    reset on purpose, the kernel's power-off line."""
    if status != 0:
        return []
    errors = []
    tally = re.findall(r"^(\d+) passed, (\d+) failed", out, re.M)
    if tally and int(tally[-1][1]) != 0:
        errors.append(f"target reported {tally[-1][1]} failed case(s)")
    m = re.search(r"^FAIL .*", out, re.M)
    if m:
        errors.append(f"a failed case: {m.group(0)!r}")
    if not no_poweroff and not powered_off(out):
        errors.append("no 'power: off (exit status 0)' line: the guest did not power off "
                      "(a reset or a crash also makes QEMU exit 0)")
    return errors


def run(cmd, sends, timeout):
    """Run cmd, typing each send's text once its regex is on the console, after the
    previous send's match (tools/takt_guest.py). Returns (exit status, output); the
    status is None when the run outlived timeout (it is killed). A regex that never
    comes leaves the rest untyped and the run to its end."""
    if not sends:
        try:
            p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            return None, e.output or b""
        return p.returncode, p.stdout
    end = time.monotonic() + timeout
    g = Guest(cmd)
    try:
        for rx, text in sends:
            g.expect(rx, max(end - time.monotonic(), 0))
            g.send(text)
    except GuestError:
        pass    # not there (or QEMU gone): judged by the checks
    try:
        return g.wait(max(end - time.monotonic(), 0)), g.output
    except GuestError:
        return None, g.output
    finally:
        g.close()


if __name__ == "__main__":
    sys.exit(main())
