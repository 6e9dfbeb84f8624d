"""tools/takt_bench.py parse_bench_lines: guest "bench:" lines (serial CRLF)
become JSON numbers, and a value that is not a number is refused. The smallest
RAM hello runs in: the bisection over -m (on a fake run), the -m parsing and
the ELF's load address."""
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


class MinRam(unittest.TestCase):
    """The bisection over QEMU's -m (./takt bench boot on microvm), on a fake run."""
    CMD = ["qemu", "-M", "microvm", "-m", "256M", "-kernel", "x"]

    def test_finds_the_threshold_in_steps(self):
        tried = []

        def runs(cmd, kib):
            tried.append(kib)
            return kib >= 1392
        self.assertEqual(takt_bench.min_ram_kib(self.CMD, 1024, 262144, runs=runs), 1392)
        self.assertLess(len(tried), 20)
        self.assertTrue(all(k % 16 == 0 for k in tried))

    def test_a_threshold_between_steps_rounds_up(self):
        self.assertEqual(takt_bench.min_ram_kib(self.CMD, 1024, 4096,
                                                runs=lambda c, k: k >= 1400), 1408)

    def test_not_running_with_all_of_it_refused(self):
        with self.assertRaisesRegex(ValueError, "does not run with -m 262144K"):
            takt_bench.min_ram_kib(self.CMD, 1024, 262144, runs=lambda c, k: False)

    def test_heap_line_read_in_kib_rounded_up(self):
        out = "boot: entry to main in 89.487 us\r\nheap: 19248 bytes taken\r\nargs: 1\r\n"
        self.assertEqual(takt_bench.heap_kib_of(out), 19)
        self.assertEqual(takt_bench.heap_kib_of("heap: 1024 bytes taken\n"), 1)
        self.assertEqual(takt_bench.heap_kib_of("heap: 0 bytes taken\n"), 0)
        for bad in ("", "heap: lots bytes taken\n", "heap: -5 bytes taken\n",
                    "the heap: 5 bytes taken\n"):
            with self.assertRaisesRegex(ValueError, "did not say what it took"):
                takt_bench.heap_kib_of(bad)

    def test_ram_of_and_with_ram(self):
        self.assertEqual(takt_bench.ram_kib_of(self.CMD), 262144)
        self.assertEqual(takt_bench.ram_kib_of(["q", "-m", "1392K"]), 1392)
        self.assertEqual(takt_bench.ram_kib_of(["q", "-m", "1G"]), 1048576)
        self.assertEqual(takt_bench.with_ram(self.CMD, 1392),
                         ["qemu", "-M", "microvm", "-m", "1392K", "-kernel", "x"])
        for bad in (["q"], ["q", "-m"], ["q", "-m", "lots"], ["q", "-m", "1T"]):
            with self.assertRaises(ValueError):
                takt_bench.ram_kib_of(bad)

    def test_load_address_of_an_elf(self):
        import struct
        import tempfile
        hdr = bytearray(64)
        hdr[:6] = b"\x7fELF\x02\x01"
        struct.pack_into("<Q", hdr, 32, 64)             # e_phoff
        struct.pack_into("<HH", hdr, 54, 56, 2)         # e_phentsize, e_phnum
        ph = bytearray(112)
        struct.pack_into("<IIQQQ", ph, 0, 1, 5, 0, 0x200000, 0x200000)   # PT_LOAD at 2 MiB
        struct.pack_into("<IIQQQ", ph, 56, 1, 6, 0, 0x100000, 0x100000)  # PT_LOAD at 1 MiB
        with tempfile.NamedTemporaryFile(suffix=".elf") as f:
            f.write(bytes(hdr + ph))
            f.flush()
            self.assertEqual(takt_bench.load_kib(f.name), 1024)
            f.seek(0)
            f.write(b"junk")
            f.flush()
            with self.assertRaisesRegex(ValueError, "not a little-endian ELF64"):
                takt_bench.load_kib(f.name)
