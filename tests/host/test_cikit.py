"""The CI kit (./takt test APP, tools/takt_apptest.py): a malformed tests.yaml is
refused before the build, naming file, case and problem (status 2); the sample
out-of-tree app's passing, failing, timing-out and crashing cases all appear in the
JUnit report with the right outcome and the console tail, and the run's status is 1."""
import os
import re
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
TAKT = os.path.join(HERE, "..", "..", "takt")
SAMPLE = os.path.join(HERE, "..", "ci-kit", "sample-app")
SHELL_APP = os.path.join(HERE, "..", "ci-kit", "shell-app")

MALFORMED = [
    # (tests.yaml text, case named in the message, problem named in the message)
    ("tests:\n  a:\n    expcet: [x]\n", "case 'a'", "unknown key 'expcet'"),
    ("tests:\n  b:\n    timeout: soon\n", "case 'b'", "'timeout' must be a number"),
    ("tests:\n  c:\n    timeout: -1\n", "case 'c'", "'timeout' must be a number"),
    ("tests:\n  d:\n    exit: true\n", "case 'd'", "'exit' must be an integer"),
    ("tests:\n  e:\n    expect: ['(unclosed']\n", "case 'e'", "bad regex '(unclosed'"),
    ("tests:\n  f:\n    boards: [no-such-board]\n", "case 'f'",
     "unknown board 'no-such-board'"),
    ("tests:\n  g:\n    boards: [rpi-4b]\n", "case 'g'", "has no QEMU model"),
    ("tests:\n  h:\n    icount: 1\n", "case 'h'", "'icount' must be true or false"),
    ("tests:\n  i:\n    expect: [1, 2]\n", "case 'i'", "'expect' must be a list"),
    ("tests:\n  j: [1]\n", "case 'j'", "settings must be a mapping"),
    ("tests: [a, b]\n", "", "'tests' must map case names"),
    ("cases:\n  a: {}\n", "", "the top level must be a mapping with the one key"),
    ("tests:\n  a: {expect: [x\n", "", "not valid YAML"),
    ("tests:\n  k:\n    input: help\n", "case 'k'", "'input' must be a list of"),
    ("tests:\n  l:\n    input: [{after: x}]\n", "case 'l'",
     "'input' step 1 must be {after: REGEX, type: TEXT}"),
    ("tests:\n  m:\n    input: [{after: '(x', type: y}]\n", "case 'm'",
     "'input' step 1: bad regex '(x'"),
    ("tests:\n  n:\n    script: nope.py\n", "case 'n'", "'script': no file"),
    ("tests:\n  o:\n    script: 3\n", "case 'o'", "'script' must be a pytest file"),
    ("tests:\n  p:\n    script: x.py\n    expect: [a]\n", "case 'p'",
     "'script' cases check in the script"),
    ("tests:\n  q:\n    reset: 1\n", "case 'q'", "'reset' must be true or false"),
]


sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
sys.dont_write_bytecode = True
import takt_apptest  # noqa: E402


def takt(*args, timeout=60):
    return subprocess.run([TAKT, *args], capture_output=True, text=True, timeout=timeout)


class Verdict(unittest.TestCase):
    """QEMU exits 0 on any guest reset: exit 0 passes only with the kernel's
    power-off line, unless the case says its success is a reset."""
    OFF = "power: off (exit status 0)\n"

    def case(self, reset=False):
        return takt_apptest.Case("c", [], None, 10, ["^hi"], [], 0, False, reset=reset)

    def test_powered_off_passes(self):
        self.assertIsNone(takt_apptest.verdict(self.case(), 0, "hi\n" + self.OFF))

    def test_reset_part_way_fails(self):
        kind, message = takt_apptest.verdict(self.case(), 0, "hi\n")
        self.assertEqual(kind, "exit")
        self.assertIn("the guest reset", message)

    def test_reset_expected_passes(self):
        self.assertIsNone(takt_apptest.verdict(self.case(reset=True), 0, "hi\n"))


class Malformed(unittest.TestCase):
    def test_each_problem_is_named_before_the_build(self):
        for text, case, problem in MALFORMED:
            with tempfile.TemporaryDirectory() as d:
                with open(os.path.join(d, "CMakeLists.txt"), "w") as f:
                    f.write("takt_app(SOURCES main.c)\n")
                path = os.path.join(d, "tests.yaml")
                with open(path, "w") as f:
                    f.write(text)
                p = takt("test", d)
                self.assertEqual(p.returncode, 2, (text, p.stdout, p.stderr))
                self.assertIn(path + ":", p.stderr, text)
                self.assertIn(case, p.stderr, text)
                self.assertIn(problem, p.stderr, text)
                self.assertNotIn("[build]", p.stdout + p.stderr)
                self.assertNotIn("building", p.stdout)

    def test_bad_options(self):
        for args, msg in ((["-j", "0"], "-j: '0' is not a number"),
                          (["-b", "nope"], "unknown board 'nope'"),
                          (["-b", "rpi-4b"], "has no QEMU model"),
                          (["-k", "nothing-matches"], "no case of"),
                          (["--unit-only"], "are for Takt's own tests")):
            p = takt("test", SAMPLE, *args)
            self.assertEqual(p.returncode, 2, (args, p.stdout, p.stderr))
            self.assertIn(msg, p.stderr)
        p = takt("test", "-k", "x")
        self.assertEqual(p.returncode, 2)
        self.assertIn("-k is for an app's tests", p.stderr)


class SampleApp(unittest.TestCase):
    def test_outcomes_in_status_and_junit(self):
        with tempfile.TemporaryDirectory() as d:
            report = os.path.join(d, "report.xml")
            p = takt("test", SAMPLE, "-b", "qemu-virt-arm64", "-j", "2", "--junit", report,
                     timeout=900)
            self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
            self.assertIn("3 passed, 4 failed", p.stdout)
            root = ET.parse(report).getroot()
        self.assertEqual((root.get("tests"), root.get("failures")), ("7", "4"))
        cases = {tc.get("name"): tc for tc in root.iter("testcase")}
        self.assertEqual(set(cases), {"passes", "passes_icount", "types_a_line", "wrong_exit",
                                      "times_out", "crashes", "out_of_order"})
        for name in cases:
            self.assertEqual(cases[name].get("classname"), "sample-app.qemu-virt-arm64")
        for name in ("passes", "passes_icount", "types_a_line"):
            self.assertIsNone(cases[name].find("failure"), name)
        want = {"wrong_exit": ("exit", "exit status 3, expected 0",
                               "sample: failing on purpose"),
                "times_out": ("timeout", "no exit within 8 s", "sample: hanging on purpose"),
                "crashes": ("crash", "PANIC: unexpected exception", "PANIC:"),
                "out_of_order": ("expect", "missing /^sample: mode ok/ after", "all good")}
        for name, (kind, message, console) in want.items():
            f = cases[name].find("failure")
            self.assertIsNotNone(f, name)
            self.assertEqual(f.get("type"), kind, name)
            self.assertIn(message, f.get("message"), name)
            self.assertIn(console, f.text, name)
        # the crashed case's core is saved and named in its message (tools/takt_crash.py)
        m = re.search(r"crash core: (\S+\.core)", cases["crashes"].find("failure").get("message"))
        self.assertTrue(m and os.path.isfile(m.group(1)), cases["crashes"].find("failure").get("message"))

    def test_k_selects_cases(self):
        with tempfile.TemporaryDirectory() as d:
            report = os.path.join(d, "r.xml")
            p = takt("test", SAMPLE, "-k", "passes*", "--junit", report, timeout=900)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            names = [tc.get("name") for tc in ET.parse(report).getroot().iter("testcase")]
        self.assertEqual(names, ["passes", "passes_icount"])


class ShellScripts(unittest.TestCase):
    """script: cases: pytest drives the shell app's console through the guest fixture;
    a script that fails is a failed case naming the test and the console's tail."""

    def test_script_cases(self):
        with tempfile.TemporaryDirectory() as d:
            report = os.path.join(d, "report.xml")
            p = takt("test", SHELL_APP, "--junit", report, timeout=900)
            self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
            self.assertIn("1 passed, 1 failed", p.stdout)
            cases = {tc.get("name"): tc for tc in ET.parse(report).getroot().iter("testcase")}
        self.assertIsNone(cases["shell_script"].find("failure"))
        f = cases["script_fails"].find("failure")
        self.assertEqual(f.get("type"), "script")
        self.assertIn("FAILED test_fails.py::test_expects_what_never_comes", f.get("message"))
        self.assertIn("no /^banana/ on the console within 2 s", f.text)


class BuildFailure(unittest.TestCase):
    def test_every_case_is_a_failed_case_with_the_build_log(self):
        with tempfile.TemporaryDirectory() as d:
            app = os.path.join(d, "cikit-broken-app")
            os.mkdir(app)
            with open(os.path.join(app, "CMakeLists.txt"), "w") as f:
                f.write("takt_app(SOURCES main.c)\n")
            with open(os.path.join(app, "main.c"), "w") as f:
                f.write("int main(void) { return no_such_symbol_here; }\n")
            with open(os.path.join(app, "tests.yaml"), "w") as f:
                f.write("tests:\n  one: {}\n  two: {exit: 0}\n")
            report = os.path.join(d, "r.xml")
            p = takt("test", app, "--junit", report, timeout=900)
            self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
            self.assertIn("0 passed, 2 failed", p.stdout)
            cases = list(ET.parse(report).getroot().iter("testcase"))
        self.assertEqual([c.get("name") for c in cases], ["one", "two"])
        for c in cases:
            f = c.find("failure")
            self.assertEqual(f.get("type"), "build")
            self.assertIn("no_such_symbol_here", f.text)


if __name__ == "__main__":
    unittest.main()
