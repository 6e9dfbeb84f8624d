"""./takt fuzz: a bad target or a bad --time/--runs is a usage error (status 2, one
line naming it) before anything is installed or built; --list names the targets;
the seeds taken from the unit tests' string literals are C's bytes."""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TAKT = os.path.join(HERE, "..", "..", "takt")
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))

import takt_fuzz  # noqa: E402


def takt(*args):
    return subprocess.run([TAKT, "fuzz"] + list(args), capture_output=True, text=True,
                          timeout=60)


class Arguments(unittest.TestCase):
    def test_unknown_target_refused(self):
        p = takt("nosuch")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("unknown fuzz target 'nosuch' (targets: dt, settings", p.stderr)
        self.assertNotIn("[fuzz]", p.stdout)

    def test_bad_time_and_runs_refused(self):
        for opt, bad in (("--time", "0"), ("--time", "abc"), ("--time", "-3"),
                         ("--runs", "1e7"), ("--runs", "0")):
            p = takt("dt", opt, bad)
            self.assertEqual(p.returncode, 2, (opt, bad, p.stderr))
            self.assertIn("%s wants a whole number >= 1, not '%s'" % (opt, bad), p.stderr)

    def test_list_names_every_target(self):
        p = takt("--list")
        self.assertEqual(p.returncode, 0, p.stderr)
        names = [line.split()[0] for line in p.stdout.splitlines()]
        self.assertEqual(names, list(takt_fuzz.TARGETS))
        for t in names:
            self.assertTrue(os.path.isfile(os.path.join(HERE, "..", "fuzz", "fuzz_%s.c" % t)), t)


class Literals(unittest.TestCase):
    def test_c_escapes_and_joined_literals(self):
        with tempfile.NamedTemporaryFile("w", suffix=".c", delete=False) as f:
            f.write('x("GET / HTTP/1.1\\r\\n"\n  "Host: a\\r\\n\\r\\n");\n'
                    'printf("%d\\n", 1);\nload("virt.dtb");\ny("a\\"b\\x41\\0c");\n')
        try:
            got = takt_fuzz.c_literals(f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual(got, [b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", b'a"bA\x00c'])


if __name__ == "__main__":
    unittest.main()
