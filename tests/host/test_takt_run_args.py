"""./takt run's own options are checked before anything is built: a bad --port
is a usage error (status 2, one line naming it)."""
import os
import subprocess
import unittest

TAKT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "takt")


class RunPort(unittest.TestCase):
    def test_bad_port_refused_before_the_build(self):
        for bad in ("0", "65536", "abc", "-5", "80x", ""):
            p = subprocess.run([TAKT, "run", "--port=" + bad, "gateway"], capture_output=True,
                               text=True, timeout=60)
            self.assertEqual(p.returncode, 2, (bad, p.stdout, p.stderr))
            self.assertIn("--port: %r is not a TCP port number" % bad, p.stderr)
            self.assertNotIn("[build]", p.stdout)


class FirmwareFolder(unittest.TestCase):
    def test_missing_firmware_folder_refused_before_the_build(self):
        for cmd in ("build", "run"):
            p = subprocess.run([TAKT, cmd, "-b", "rpi-3b", "--firmware", "/nonexistent/fw"],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 2, (cmd, p.stdout, p.stderr))
            self.assertIn("--firmware /nonexistent/fw: no such folder", p.stderr)
            self.assertIn("raspberrypi/firmware repository's boot/ folder", p.stderr)
            self.assertNotIn("[build]", p.stdout)

    def test_fit_dtb_is_a_flag_of_build_and_run_only(self):
        p = subprocess.run([TAKT, "test", "--fit-dtb"], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown option '--fit-dtb' for test", p.stderr)


if __name__ == "__main__":
    unittest.main()
