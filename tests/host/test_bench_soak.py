"""tools/bench_soak.py, ./takt bench soak's pure part: --hours is checked, /metrics text is
turned into figures, and the verdict over a series of samples fails on a deadline miss,
heap growth after warm-up, a leaked socket or pbuf, an unanswered /metrics read or MQTT
gone silent. The soak itself (an hour of guest time) is not part of ./takt test; its
command-line refusals (exit 2) are checked through ./takt here, before anything is built."""
import copy
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.dont_write_bytecode = True

import bench_soak as bs  # noqa: E402

# A /metrics page cut down to the families the soak reads (as net/http/metrics.c and
# apps/gateway print them), with a thread that is not a deadline one.
METRICS = """# HELP takt_uptime_seconds Time since the image started.
# TYPE takt_uptime_seconds gauge
takt_uptime_seconds 42.500000000
takt_thread_switches_total{thread="cyclictest/0",id="7"} 1000
takt_thread_switches_total{thread="cyclictest/1",id="8"} 990
takt_thread_switches_total{thread="main",id="1"} 5
takt_thread_overruns_total{thread="cyclictest/0",id="7"} 0
takt_thread_overruns_total{thread="gw-sampler",id="9"} 1
takt_thread_deadline_misses_total{thread="cyclictest/0",id="7"} 0
takt_thread_deadline_misses_total{thread="cyclictest/1",id="8"} 2
takt_memory_heap_used_bytes 81234
takt_lwip_pool_used{pool="TCP_PCB"} 3
takt_lwip_pool_used{pool="NETCONN"} 2
takt_lwip_pool_used{pool="PBUF_REF/ROM"} 1
takt_lwip_pool_used{pool="PBUF_POOL"} 0
takt_lwip_pool_size{pool="NETCONN"} 20
takt_http_requests_total{code="200"} 100
takt_http_requests_total{code="404"} 1
takt_mqtt_published_total 300
takt_mqtt_connects_total 1
"""


def sample(t, heap, sockets=2, pbufs=0, misses=0, mqtt=0):
    return {"uptime_s": t, "heap_used_bytes": heap, "sockets": sockets, "pbuf_pool": pbufs,
            "pbuf_ref": 0, "deadline_misses": misses, "mqtt_received": mqtt}


def series(heaps=(1000, 1200, 1100, 1150, 1200, 1180), quiet=(900, 950, 950)):
    """A passing run: quiet samples before (heap quiet[0]), at the pause after warm-up
    (quiet[1]) and after the run (quiet[2]); two samples under load in warm-up and the
    rest after it, with heaps as given, MQTT messages arriving all along."""
    t = iter(range(0, 1000, 10))
    mq = iter(range(0, 1000, 7))

    def at(heap, **kw):
        return sample(next(t), heap, mqtt=next(mq), **kw)
    return {"unanswered": 0,
            "baseline": [at(quiet[0], sockets=1), at(quiet[0], sockets=2)],
            "warm": [at(h) for h in heaps[:2]],
            "mid": [at(quiet[1] + 10), at(quiet[1])],
            "loaded": [at(h) for h in heaps[2:]],
            "final": [at(quiet[2], sockets=3), at(quiet[2] + 20, sockets=1)]}


class Hours(unittest.TestCase):
    def test_good(self):
        self.assertEqual(bs.parse_hours("1"), 1.0)
        self.assertEqual(bs.parse_hours("0.05"), 0.05)
        self.assertEqual(bs.parse_hours("2.5e0"), 2.5)

    def test_bad(self):
        for bad in ("0", "-1", "abc", "", "nan", "inf", "1h", None, "0.001"):
            with self.assertRaises(ValueError, msg=repr(bad)) as cm:
                bs.parse_hours(bad)
            self.assertIn("--hours", str(cm.exception))


class Rate(unittest.TestCase):
    def test_good(self):
        self.assertEqual(bs.parse_rate("100"), 100)
        self.assertEqual(bs.parse_rate("0"), 0)
        self.assertEqual(bs.parse_rate(str(bs.MAX_RATE)), bs.MAX_RATE)

    def test_bad(self):
        for bad in ("-1", "abc", "", "1.5", "1e3", None, str(bs.MAX_RATE + 1)):
            with self.assertRaises(ValueError, msg=repr(bad)) as cm:
                bs.parse_rate(bad)
            self.assertIn("--rate", str(cm.exception))

    def test_pace(self):
        self.assertIsNone(bs.pace_lua(0, 4))
        self.assertIn("return 40\n", bs.pace_lua(100, 4))     # 4 connections x 25/s
        self.assertIn("return 1\n", bs.pace_lua(bs.MAX_RATE, 4))
        self.assertIn("function delay()", bs.pace_lua(7, 1))

    def test_wrk_args(self):
        sys.path.insert(0, os.path.join(ROOT, "tests", "net"))
        import bench_soak_run as run
        with tempfile.TemporaryDirectory() as d:
            args = run.wrk_args(d, 100)
            self.assertEqual(args[0], "-s")
            self.assertEqual(args[2:], run.WRK)
            with open(args[1]) as f:
                self.assertIn("return 40\n", f.read())
            self.assertEqual(run.wrk_args(d, 0), run.WRK)


class Metrics(unittest.TestCase):
    def test_figures(self):
        f = bs.parse_metrics(METRICS)
        self.assertEqual(f["uptime_s"], 42.5)
        self.assertEqual(f["heap_used_bytes"], 81234)
        self.assertEqual((f["sockets"], f["pbuf_pool"], f["pbuf_ref"], f["tcp_pcbs"]),
                         (2, 0, 1, 3))
        self.assertEqual(f["deadline_misses"], 2)      # summed over the threads
        self.assertEqual(f["overruns"], 1)
        self.assertEqual(f["cyclictest_switches"], 1990)  # cyclictest/* only
        self.assertEqual(f["http_requests"], 101)
        self.assertEqual((f["mqtt_published"], f["mqtt_connects"]), (300, 1))
        self.assertIsInstance(f["heap_used_bytes"], int)

    def test_missing_family(self):
        text = "\n".join(ln for ln in METRICS.split("\n") if "NETCONN" not in ln)
        with self.assertRaises(bs.SoakError) as cm:
            bs.parse_metrics(text)
        self.assertIn("sockets", str(cm.exception))

    def test_not_metrics(self):
        with self.assertRaises(bs.SoakError):
            bs.parse_metrics("<html>busy</html>")


class Judge(unittest.TestCase):
    def test_pass(self):
        v = bs.judge(series())
        self.assertTrue(v["pass"], v)
        h = v["criteria"]["heap_growth"]
        self.assertEqual((h["after_warmup_bytes"], h["end_bytes"], h["growth_bytes"],
                          h["before_load_bytes"], h["max_under_load_warmup_bytes"],
                          h["max_under_load_after_bytes"]), (950, 950, 0, 900, 1200, 1200))
        self.assertEqual(v["criteria"]["leaked_sockets"]["leaked"], 0)   # min(3, 1) - min(1, 2)
        self.assertEqual(len(bs.verdict_lines(v)), 6)
        self.assertTrue(all(" PASS " in ln for ln in bs.verdict_lines(v)))

    def test_heap_growth(self):
        v = bs.judge(series(quiet=(900, 950, 1014)))
        self.assertFalse(v["pass"])
        self.assertFalse(v["criteria"]["heap_growth"]["pass"])
        self.assertEqual(v["criteria"]["heap_growth"]["growth_bytes"], 64)
        self.assertTrue(v["criteria"]["deadline_misses"]["pass"])
        self.assertIn("FAIL", [ln for ln in bs.verdict_lines(v) if "heap_growth" in ln][0])

    def test_heap_under_load_is_not_judged(self):
        # wrk's open connections swing the heap: a peak under load after warm-up is
        # reported, the quiet figures judge
        v = bs.judge(series(heaps=(1000, 1200, 1500, 1150, 1190, 1900)))
        self.assertTrue(v["criteria"]["heap_growth"]["pass"])
        self.assertEqual(v["criteria"]["heap_growth"]["max_under_load_after_bytes"], 1900)

    def test_warmup_growth_allowed(self):
        # what warm-up allocates for good (quiet 900 -> 950) is not growth after it
        v = bs.judge(series(quiet=(900, 950, 940)))
        self.assertTrue(v["criteria"]["heap_growth"]["pass"])
        self.assertEqual(v["criteria"]["heap_growth"]["growth_bytes"], -10)

    def test_deadline_miss(self):
        s = series()
        s["loaded"][1]["deadline_misses"] = 1
        v = bs.judge(s)
        self.assertFalse(v["pass"])
        self.assertEqual(v["criteria"]["deadline_misses"]["misses"], 1)
        s = series()
        s["cyclictest_misses"] = 4
        self.assertEqual(bs.judge(s)["criteria"]["deadline_misses"]["misses"], 4)

    def test_leaked_socket_and_pbuf(self):
        s = series()
        for x in s["final"]:
            x["sockets"] = 3
            x["pbuf_pool"] = 2
        v = bs.judge(s)
        self.assertFalse(v["criteria"]["leaked_sockets"]["pass"])
        self.assertEqual(v["criteria"]["leaked_sockets"]["leaked"], 2)
        self.assertFalse(v["criteria"]["leaked_pbufs"]["pass"])
        self.assertEqual(v["criteria"]["leaked_pbufs"]["leaked"], 2)

    def test_one_busy_quiet_sample_is_not_a_leak(self):
        s = series()
        s["final"][0]["pbuf_pool"] = 1      # an MQTT publish in flight at that instant
        self.assertTrue(bs.judge(s)["criteria"]["leaked_pbufs"]["pass"])

    def test_unanswered_and_mqtt_silent(self):
        s = series()
        s["unanswered"] = 1
        self.assertFalse(bs.judge(s)["criteria"]["metrics_answering"]["pass"])
        s = series()
        for x in s["loaded"]:
            x["mqtt_received"] = s["mid"][-1]["mqtt_received"]
        v = bs.judge(s)
        self.assertFalse(v["criteria"]["mqtt_flowing"]["pass"])
        self.assertEqual(v["criteria"]["mqtt_flowing"]["received_after_warmup"], 0)

    def test_empty_phase_refused(self):
        for phase in ("baseline", "warm", "mid", "loaded", "final"):
            s = series()
            s[phase] = []
            with self.assertRaises(bs.SoakError) as cm:
                bs.judge(s)
            self.assertIn(phase, str(cm.exception))

    def test_recorded_series_untouched(self):
        s = series()
        before = copy.deepcopy(s)
        bs.judge(s)
        self.assertEqual(s, before)

    def test_progress_line(self):
        s = dict(series()["loaded"][0], wall_s=12.5)
        ln = bs.progress_line(s, "load")
        self.assertTrue(ln.startswith("[bench soak] load    guest "), ln)
        self.assertIn("heap    1100 B", ln)


class Recorded(unittest.TestCase):
    """A real run's samples (tests/host/data/soak-qemu-virt-arm64.json: ./takt bench soak
    --hours 0.05 on qemu-virt-arm64) judged again give the verdict recorded with them;
    the same samples with a leak or a miss written in fail."""

    def setUp(self):
        with open(os.path.join(HERE, "data", "soak-qemu-virt-arm64.json")) as f:
            self.rec = json.load(f)

    def test_same_verdict(self):
        v = bs.judge(self.rec["samples"])
        self.assertTrue(v["pass"])
        self.assertEqual(v["criteria"], self.rec["criteria"])
        self.assertEqual(v["criteria"]["heap_growth"]["growth_bytes"], 0)
        self.assertGreater(v["criteria"]["heap_growth"]["max_under_load_after_bytes"],
                           v["criteria"]["heap_growth"]["end_bytes"] + 100000)

    def test_written_in_faults_fail(self):
        s = copy.deepcopy(self.rec["samples"])
        for x in s["final"]:
            x["heap_used_bytes"] += 48          # one small block never freed
            x["sockets"] += 1
        s["loaded"][-1]["deadline_misses"] = 1
        c = bs.judge(s)["criteria"]
        self.assertEqual([k for k, v in c.items() if not v["pass"]],
                         ["deadline_misses", "heap_growth", "leaked_sockets"])


class CommandLine(unittest.TestCase):
    """./takt's refusals come before setup or a build, with exit status 2."""

    def takt(self, *args):
        return subprocess.run([sys.executable, os.path.join(ROOT, "takt"), "bench"] + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=60)

    def test_bad_hours(self):
        for bad in ("0", "-2", "x"):
            p = self.takt("soak", "--hours", bad)
            self.assertEqual(p.returncode, 2, p.stdout)
            self.assertIn("--hours", p.stdout)

    def test_bad_rate(self):
        for bad in ("-1", "1.5", "x"):
            p = self.takt("soak", "--rate", bad)
            self.assertEqual(p.returncode, 2, p.stdout)
            self.assertIn("--rate", p.stdout)

    def test_unknown_board(self):
        p = self.takt("soak", "-b", "no-such-board")
        self.assertEqual(p.returncode, 2, p.stdout)
        self.assertIn("unknown board 'no-such-board'", p.stdout)

    def test_board_without_network(self):
        for board in ("rpi-3b", "rpi-4b"):   # no NIC in QEMU; no QEMU model at all
            p = self.takt("soak", "-b", board)
            self.assertEqual(p.returncode, 2, p.stdout)
            self.assertRegex(p.stdout, "has no network in QEMU|cannot be booted in QEMU")

    def test_hours_only_for_soak(self):
        p = self.takt("boot", "--hours", "1")
        self.assertEqual(p.returncode, 2, p.stdout)
        self.assertIn("--hours goes with ./takt bench soak", p.stdout)
        p = self.takt("boot", "--rate", "5")
        self.assertEqual(p.returncode, 2, p.stdout)
        self.assertIn("--rate goes with ./takt bench soak", p.stdout)


if __name__ == "__main__":
    unittest.main()
