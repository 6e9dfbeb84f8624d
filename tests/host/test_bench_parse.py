"""tools/takt_bench.py parse_bench_lines: guest "bench:" lines (serial CRLF)
become JSON numbers, and a value that is not a number is refused."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))

import takt_bench  # noqa: E402


class ParseBenchLines(unittest.TestCase):
    def test_crlf_values_become_numbers(self):
        out = "boot\r\nbench: wake_pick_ns_1 272\r\nbench: ratio 1.5\r\nother 3\r\n"
        lines = takt_bench.parse_bench_lines(out)
        self.assertEqual(lines, [("wake_pick_ns_1", 272), ("ratio", 1.5)])
        self.assertIsInstance(lines[0][1], int)
        self.assertEqual(json.loads(json.dumps(dict(lines)))["wake_pick_ns_1"], 272)

    def test_labelled_values_become_dict(self):
        lines = takt_bench.parse_bench_lines("bench: timer_wake_ns min 800 avg 807 max 815\r\n")
        self.assertEqual(lines, [("timer_wake_ns", {"min": 800, "avg": 807, "max": 815})])
        with self.assertRaisesRegex(ValueError, "not a number"):
            takt_bench.parse_bench_lines("bench: timer_wake_ns min 800 avg\r\n")

    def test_no_bench_lines(self):
        self.assertEqual(takt_bench.parse_bench_lines("hello\r\n"), [])

    def test_non_number_refused(self):
        with self.assertRaisesRegex(ValueError, "not a number"):
            takt_bench.parse_bench_lines("bench: wake_pick_ns_1 27x2\r\n")


if __name__ == "__main__":
    unittest.main()
