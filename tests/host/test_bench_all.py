"""tools/bench_all.py: the README's table of figures is rendered from a recorded
build/bench/all.json (tests/host/data/bench-all.json: main's per-benchmark results of
2026-12-05 collected as ./takt bench all does), put between the README's markers, and
bad input (strings for numbers, no boards, no markers) is refused with a message.
collect() turns per-benchmark result files into JSON numbers and nulls."""
import json
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
sys.dont_write_bytecode = True

import bench_all as ba  # noqa: E402

RECORDED = os.path.join(HERE, "data", "bench-all.json")


def recorded():
    with open(RECORDED) as f:
        return json.load(f)


class Render(unittest.TestCase):
    def test_table_from_recorded_json(self):
        table = ba.render(recorded())
        lines = table.split("\n")
        self.assertEqual(lines[0], "| figure | issue: before | goal | Takt qemu-microvm-x86_64 | "
                         "Linux qemu-microvm-x86_64 | Takt qemu-virt-arm64 | "
                         "Linux qemu-virt-arm64 | Linux (issue) |")
        rows = [ln for ln in lines[2:] if ln.startswith("| ")]
        # a row per figure the recording has (it predates the newer ones)
        self.assertEqual(len(rows), len(recorded()["boards"]["qemu-virt-arm64"]["figures"]))
        self.assertIn("| context switch, two threads yielding | 272 ns | 150 ns | 269 ns | — | "
                      "273 ns | — | — |", rows)
        self.assertIn("| entry to main, the board DTB | 502 us | 50 us | 625.6 us | — | "
                      "544.4 us | — | — |", rows)
        smp = [r for r in rows if r.startswith("| cyclictest -S")][0]
        self.assertIn("1200 ns ✓ | 987280 ns", smp)      # under 1/10 of Linux's

    def test_replace_section(self):
        text = "a\n%s\nold table\n%s\nb\n" % (ba.BEGIN, ba.END)
        new = ba.replace_section(text, "| t |")
        self.assertEqual(new, "a\n%s\n| t |\n%s\nb\n" % (ba.BEGIN, ba.END))
        with self.assertRaisesRegex(ba.BenchAllError, "no .* section"):
            ba.replace_section("a\nb\n", "| t |")
        with self.assertRaisesRegex(ba.BenchAllError, "no .* section"):
            ba.replace_section("%s\n%s\n" % (ba.END, ba.BEGIN), "| t |")

    def test_readme_has_the_section(self):
        with open(os.path.join(HERE, "..", "..", "README.md")) as f:
            text = f.read()
        self.assertEqual(ba.replace_section(text, "x").count(ba.BEGIN), 1)

    def test_strings_for_numbers_refused(self):
        doc = recorded()
        doc["boards"]["qemu-virt-arm64"]["figures"][3]["takt"] = "272\r"
        with self.assertRaisesRegex(ba.BenchAllError, "not a number"):
            ba.render(doc)

    def test_not_a_result_refused(self):
        for doc in ({}, [], {"boards": {}}, {"boards": {"b": {"figures": 3}}}):
            with self.assertRaises(ba.BenchAllError):
                ba.render(doc)
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            f.write("{not json")
            f.flush()
            with self.assertRaisesRegex(ba.BenchAllError, "not JSON"):
                ba.load(f.name)
        self.assertEqual(ba.main(["readme", "/nonexistent/all.json", RECORDED]), 1)


class Collect(unittest.TestCase):
    def test_numbers_and_nulls(self):
        with tempfile.TemporaryDirectory() as root:
            d = os.path.join(root, "build", "bench")
            os.makedirs(d)
            with open(os.path.join(d, "b-sched.json"), "w") as f:
                json.dump({"results": {"ctx_switch_ns": 140,
                                       "timer_wake_ns": {"min": 1, "avg": 390, "max": 9}}}, f)
            with open(os.path.join(d, "b-boot.json"), "w") as f:
                f.write("{broken")
            path = ba.collect(root, "b", {"sched": {"status": "ok", "seconds": 4.0}})
            with open(path) as f:
                doc = json.load(f)
        figs = {x["key"]: x for x in doc["boards"]["b"]["figures"]}
        self.assertEqual(figs["ctx_switch_ns"]["takt"], 140)
        self.assertTrue(figs["ctx_switch_ns"]["goal_met"])
        self.assertEqual(figs["timer_wake_ns"]["takt"], 390)
        self.assertIsNone(figs["boot_qemu_dtb_us"]["takt"])
        self.assertIsNone(figs["cyclictest_avg_ns"]["goal_met"])
        self.assertEqual(doc["boards"]["b"]["seconds"], 4.0)
        ba.check(doc)


if __name__ == "__main__":
    unittest.main()
