"""What the network tests share: one printed line per check, the failures kept
for the exit status, promtool's path and the metrics endpoint's console line."""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
URL_RX = r"^metrics: http://(\d+\.\d+\.\d+\.\d+):80/metrics$"
failures = []


def check(name, ok, detail=""):
    """Print PASS/FAIL name (with detail on failure); remember failures."""
    print("%s %s%s" % ("PASS" if ok else "FAIL", name, (": " + detail) if detail and not ok else ""),
          flush=True)
    if not ok:
        failures.append(name)
    return ok


def run_boots(prefix, boots, errors):
    """Each (name, fn, args) of a network test's boots in turn, a boot that raises
    one of errors recorded as a failed check PREFIX_NAME; then the closing line and
    the exit status."""
    for name, fn, args in boots:
        try:
            fn(*args)
        except errors as e:
            check("%s_%s" % (prefix, name.replace(" ", "_")), False,
                  "%s: %s" % (type(e).__name__, e))
    print("%d failed" % len(failures))
    return 1 if failures else 0


def promtool_path():
    """Where ./takt setup put promtool (tools/takt_setup.py)."""
    sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
    import takt_setup
    return takt_setup.promtool_path()


def parse_args():
    """Every network test's arguments: --build-dir (the image) and --board."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--board", required=True)
    return ap.parse_args()


def require_promtool():
    """promtool's path, or None after a FAIL line saying where it was looked for."""
    promtool = promtool_path()
    if os.access(promtool, os.X_OK):
        return promtool
    print("FAIL promtool not found at %s (./takt setup fetches it)" % promtool)
    return None
