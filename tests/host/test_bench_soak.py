"""tools/bench_soak.py, ./takt bench soak's pure part: --hours is checked, /metrics text is
turned into figures, and the verdict over a series of samples fails on a deadline miss,
heap growth after warm-up, a leaked socket or pbuf, an unanswered /metrics read or MQTT
gone silent. The soak itself (an hour of guest time) is not part of ./takt test; its
command-line refusals (exit 2) are checked through ./takt here, before anything is built."""
import copy
import os
import subprocess
import sys
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


def series(heaps=(1000, 1200, 1100, 1150, 1200, 1180), run_s=100.0, start_s=10.0):
    """A passing run: loaded samples every run/len guest seconds from start_s, the first
    two inside the warm-up (10 % of the run)."""
    step = run_s / (len(heaps) - 1) if len(heaps) > 1 else run_s
    loaded = [sample(start_s + 5 + i * step if i < 2 else start_s + i * step, h, mqtt=10 * i)
              for i, h in enumerate(heaps)]
    loaded[0]["uptime_s"], loaded[1]["uptime_s"] = start_s + 2, start_s + 9
    return {"run_s": run_s, "start_s": start_s, "unanswered": 0,
            "baseline": [sample(5, 900, sockets=1), sample(6, 900, sockets=2)],
            "final": [sample(200, 950, sockets=3), sample(201, 950, sockets=1)],
            "loaded": loaded}


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


class Metrics(unittest.TestCase):
    def test_figures(self):
        f = bs.parse_metrics(METRICS)
        self.assertEqual(f["uptime_s"], 42.5)
        self.assertEqual(f["heap_used_bytes"], 81234)
        self.assertEqual((f["sockets"], f["pbuf_pool"], f["pbuf_ref"], f["tcp_pcbs"]),
                         (2, 0, 1, 3))
        self.assertEqual(f["deadline_misses"], 2)      # summed over the threads
        self.assertEqual(f["overruns"], 1)
        self.assertEqual(f["cyclictest_wakeups"], 1990)  # cyclictest/* only
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
        self.assertEqual((h["warmup_max_bytes"], h["end_bytes"], h["growth_bytes"],
                          h["max_after_warmup_bytes"]), (1200, 1180, -20, 1200))
        self.assertEqual(v["criteria"]["leaked_sockets"]["leaked"], 0)   # min(3, 1) - min(1, 2)
        self.assertEqual(len(bs.verdict_lines(v)), 6)

    def test_heap_growth(self):
        v = bs.judge(series(heaps=(1000, 1200, 1210, 1250, 1300, 1320)))
        self.assertFalse(v["pass"])
        self.assertFalse(v["criteria"]["heap_growth"]["pass"])
        self.assertEqual(v["criteria"]["heap_growth"]["growth_bytes"], 120)
        self.assertTrue(v["criteria"]["deadline_misses"]["pass"])
        self.assertIn("FAIL", [ln for ln in bs.verdict_lines(v) if "heap_growth" in ln][0])

    def test_heap_peak_then_back_passes(self):
        # a peak after warm-up that comes back down is not growth at the end
        v = bs.judge(series(heaps=(1000, 1200, 1500, 1150, 1190, 1200)))
        self.assertTrue(v["criteria"]["heap_growth"]["pass"])
        self.assertEqual(v["criteria"]["heap_growth"]["max_after_warmup_bytes"], 1500)

    def test_deadline_miss(self):
        s = series()
        s["loaded"][3]["deadline_misses"] = 1
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
        v = bs.judge(s)
        self.assertFalse(v["criteria"]["metrics_answering"]["pass"])
        s = series()
        for x in s["loaded"][1:]:
            x["mqtt_received"] = 10
        v = bs.judge(s)
        self.assertFalse(v["criteria"]["mqtt_flowing"]["pass"])

    def test_no_samples_after_warmup(self):
        s = series()
        s["loaded"] = s["loaded"][:2]
        v = bs.judge(s)
        self.assertFalse(v["criteria"]["heap_growth"]["pass"])
        self.assertIn("why", v["criteria"]["heap_growth"])
        self.assertEqual(len(bs.verdict_lines(v)), 6)

    def test_empty_series_refused(self):
        s = series()
        s["final"] = []
        with self.assertRaises(bs.SoakError):
            bs.judge(s)

    def test_recorded_series_untouched(self):
        s = series()
        before = copy.deepcopy(s)
        bs.judge(s)
        self.assertEqual(s, before)


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

    def test_unknown_board(self):
        p = self.takt("soak", "-b", "no-such-board")
        self.assertEqual(p.returncode, 2, p.stdout)
        self.assertIn("unknown board 'no-such-board'", p.stdout)

    def test_hours_only_for_soak(self):
        p = self.takt("boot", "--hours", "1")
        self.assertEqual(p.returncode, 2, p.stdout)
        self.assertIn("--hours goes with ./takt bench soak", p.stdout)


if __name__ == "__main__":
    unittest.main()
