"""tools/cyclictest_report.py draws its histogram with matplotlib (tools/cyclictest_plot.py):
a recorded ./takt run log gives a valid PNG (PIL or matplotlib reads it back), the bench's
side-by-side plot too, and bad input is refused with a message and status 1."""
import contextlib
import io
import os
import struct
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
sys.dont_write_bytecode = True

import cyclictest_plot  # noqa: E402
import cyclictest_report  # noqa: E402

SAMPLE = os.path.join(HERE, "data", "cyclictest-icount.log")   # ./takt run, recorded

try:
    cyclictest_plot._pyplot()
    HAVE_MPL = True
except cyclictest_plot.PlotError:
    HAVE_MPL = False


def png_size(path):
    """(width, height) from the PNG's IHDR; AssertionError when it is not a PNG."""
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "no PNG signature"
    assert head[12:16] == b"IHDR", "no IHDR chunk first"
    return struct.unpack(">II", head[16:24])


def run_report(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = cyclictest_report.main(argv)
    return rc, out.getvalue(), err.getvalue()


@unittest.skipUnless(HAVE_MPL, "python3-matplotlib missing (./takt setup installs it)")
class Plots(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def read_back(self, path):
        w, h = png_size(path)
        self.assertGreater(w, 400)
        self.assertGreater(h, 300)
        import matplotlib.image
        img = matplotlib.image.imread(path)
        self.assertEqual(img.shape[:2], (h, w))
        self.assertGreater(img.std(), 0.0, "a blank image")

    def test_report_from_recorded_run(self):
        png = self.path("ct.png")
        rc, out, err = run_report(["--unit", "ns", "--json", self.path("ct.json"),
                                   "--png", png, SAMPLE])
        self.assertEqual(rc, 0, err)
        self.assertIn("plot: " + png, out)
        self.read_back(png)

    def test_side_by_side(self):
        with open(SAMPLE) as f:
            res = cyclictest_report.parse(f.read())
        pts = cyclictest_report.series_for_plot(res, "ns")
        png = self.path("bench.png")
        cyclictest_plot.side_by_side(
            [("Takt icount", pts), ("Linux icount", [(x * 9, n) for x, n in pts])],
            [("Takt", {"min": 0.5, "avg": 0.6, "p99": 1.0, "max": 1.2}),
             ("Linux", {"min": 4.0, "avg": 5.4, "p99": 9.0, "max": 17.6})],
            png, "cyclictest", marks=[("goal", 0.6), ("Linux max", 17.6)])
        self.read_back(png)

    def test_no_cyclictest_output_refused(self):
        bad = self.path("bad.log")
        with open(bad, "w") as f:
            f.write("boot: image at 0x40080000\nPANIC: nothing here\n")
        rc, _, err = run_report(["--png", self.path("x.png"), bad])
        self.assertEqual(rc, 1)
        self.assertIn("no cyclictest output found", err)
        self.assertFalse(os.path.exists(self.path("x.png")))

    def test_missing_log_refused(self):
        rc, _, err = run_report(["--png", self.path("x.png"), self.path("none.log")])
        self.assertEqual(rc, 1)
        self.assertIn("none.log", err)

    def test_bad_series_refused(self):
        for series, msg in (([], "no series"), ([("a", [])], "no points"),
                            ([("a", [(1.0, -3)])], "negative count"),
                            ([("a", [(1.0, 0)])], "every count is 0"),
                            ([("a", [(0.0, 5)])], "log axis"),
                            ([("a", [("x", 5)])], "not two numbers")):
            with self.assertRaisesRegex(cyclictest_plot.PlotError, msg):
                cyclictest_plot.histogram(series, self.path("y.png"), "t")
            self.assertFalse(os.path.exists(self.path("y.png")))


if __name__ == "__main__":
    unittest.main()
