"""`./takt run -b BOARD gateway` (the README's command for the gateway): it
boots the gateway with a user-mode NIC and a host port forwarded to the
metrics endpoint, prints that URL, and the URL answers."""

import argparse
import os
import re
import subprocess
import sys
import threading
import urllib.request

from guest import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)     # unused: ./takt run builds
    ap.add_argument("--board", required=True)
    a = ap.parse_args()
    port = free_port()
    proc = subprocess.Popen([os.path.join(ROOT, "takt"), "run", "-b", a.board, "gateway",
                             "--port", str(port)], cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines, seen = [], threading.Event()
    url_rx = re.compile(r"^\[run\] metrics endpoint: (http://127\.0\.0\.1:%d)/metrics " % port)

    def reader():
        for raw in proc.stdout:
            lines.append(raw.decode("utf-8", "replace").rstrip())
            if lines[-1].startswith("metrics: http://"):
                seen.set()
        seen.set()

    threading.Thread(target=reader, daemon=True).start()
    ok = False
    try:
        seen.wait(180)
        urls = [m.group(1) for m in map(url_rx.match, lines) if m]
        print("%s url_printed" % ("PASS" if urls else "FAIL"))
        if urls:
            with urllib.request.urlopen(urls[0] + "/metrics", timeout=30) as r:
                body = r.read().decode()
            ok = r.status == 200 and "takt_uptime_seconds" in body
            print("%s metrics_url_answers" % ("PASS" if ok else "FAIL"))
    except OSError as e:
        print("FAIL metrics_url_answers: %s" % e)
    finally:
        proc.kill()
        proc.wait()
    if not ok:
        print("output:\n  " + "\n  ".join(lines[-20:]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
