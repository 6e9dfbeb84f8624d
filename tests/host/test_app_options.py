"""takt_app()'s options are checked at configure time: a LOG_RING that is not a power
of two from 8 to 4096 is refused with one line naming the app and the value (never a
ring whose index arithmetic is wrong), and a good one configures."""
import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tools"))
import takt_setup  # noqa: E402


def configure(tmp, options):
    app = os.path.join(tmp, "app")
    os.makedirs(app, exist_ok=True)
    with open(os.path.join(app, "CMakeLists.txt"), "w") as f:
        f.write("takt_app(SOURCES main.c %s)\n" % options)
    with open(os.path.join(app, "main.c"), "w") as f:
        f.write("int main(void) { return 0; }\n")
    return subprocess.run(["cmake", "-S", ROOT, "-B", os.path.join(tmp, "build"),
                           "-DBOARD=qemu-virt-arm64", "-DAPP=" + app,
                           "-DTAKT_CACHE_DIR=" + takt_setup.cache_dir()],
                          capture_output=True, text=True, timeout=120)


class LogRing(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def refused(self, value):
        p = configure(self.tmp.name, "LOG_RING %s" % value)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("LOG_RING %s is not a power of two from 8 to 4096" % value,
                      " ".join((p.stdout + p.stderr).split()))

    def test_not_a_power_of_two_refused(self):
        self.refused("100")

    def test_too_small_and_too_large_refused(self):
        self.refused("4")
        self.refused("8192")

    def test_not_a_number_refused(self):
        self.refused("lots")

    def test_power_of_two_configures(self):
        p = configure(self.tmp.name, "LOG_RING 64")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        with open(os.path.join(self.tmp.name, "build", "log_ring.c")) as f:
            self.assertIn("TK_LOG_RING_DEFINE(6)", f.read())


if __name__ == "__main__":
    unittest.main()
