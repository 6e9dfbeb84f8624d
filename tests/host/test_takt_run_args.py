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


if __name__ == "__main__":
    unittest.main()
