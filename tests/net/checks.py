"""What the network tests share: one printed line per check, the failures kept
for the exit status, promtool's path and the metrics endpoint's console line."""

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


def promtool_path():
    """Where ./takt setup put promtool (tools/takt_setup.py)."""
    sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
    import takt_setup
    return takt_setup.promtool_path()
