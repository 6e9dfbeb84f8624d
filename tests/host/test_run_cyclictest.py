"""./takt run's cyclictest display: the histogram rows with no samples are left off the
terminal (whole lines, however the console's bytes are split) while every other line
passes, and the count is kept; --readme is refused on a benchmark other than all."""
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TAKT = os.path.join(HERE, "..", "..", "takt")
sys.dont_write_bytecode = True


def takt_run_module():
    """tools/takt_run.py, where ./takt run's console filter lives."""
    sys.path.insert(0, os.path.join(os.path.dirname(TAKT), "tools"))
    import takt_run
    return takt_run


CONSOLE = (b"T: 0 (    2) P:80 I:1000 C:   2000 Min:    848 Act:     848 Avg:     864 Max:     880\r\n"
           b"# Histogram\r\n000847 000000\t000000\r\n000848 000998\t001001\r\n"
           b"000849 000000\t000000\r\n001999 000000\t000000\r\n# Total: 000002000 000002000\r\n"
           b"\x1b[6Apolicy: fifo\r\n")


class ZeroRows(unittest.TestCase):
    def shown(self, step):
        f = takt_run_module().ZeroRowFilter()
        out = b"".join(f.feed(CONSOLE[i:i + step]) for i in range(0, len(CONSOLE), step))
        return out + f.feed(b"", end=True), f.hidden

    def test_empty_rows_hidden_whatever_the_split(self):
        want = CONSOLE.replace(b"000847 000000\t000000\r\n", b"").replace(
            b"000849 000000\t000000\r\n", b"").replace(b"001999 000000\t000000\r\n", b"")
        for step in (1, 5, 37, 4096):
            self.assertEqual(self.shown(step), (want, 3), step)

    def test_partial_text_shown_at_once(self):
        f = takt_run_module().ZeroRowFilter()
        self.assertEqual(f.feed(b"boot: image at"), b"boot: image at")
        self.assertEqual(f.feed(b"000848 000998"), b"")     # a row in the making waits
        self.assertEqual(f.feed(b"\r\n"), b"000848 000998\r\n")


class BenchReadme(unittest.TestCase):
    def test_readme_only_with_all(self):
        p = subprocess.run([TAKT, "bench", "sched", "--readme"], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--readme goes with ./takt bench all", p.stderr)


if __name__ == "__main__":
    unittest.main()
