"""./takt fuzz: a bad target or a bad --time/--runs/--seed is a usage error (status 2,
one line naming it) before anything is installed or built; --list names the targets;
the seeds taken from the unit tests' string literals are C's bytes; a failure's line
carries what reproduces it elsewhere; ./takt test's step is seeded, from a fresh
corpus."""
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

    def test_bad_seed_refused(self):
        for bad in ("0", "-1", "x", "4294967296"):
            p = takt("dt", "--seed", bad)
            self.assertEqual(p.returncode, 2, (bad, p.stderr))
            self.assertIn("--seed wants a whole number from 1 to 4294967295, not '%s'" % bad,
                          p.stderr)

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


class Campaign(unittest.TestCase):
    """A timeout that does not reproduce alone is host load: the campaign deletes
    its input and goes on; one that reproduces, or a crash, ends it failed."""

    def fake(self, results, reproduces):
        calls, seen, self.seeds = [], [], []
        it = iter(results)

        class R:
            def __init__(self, runs, artifact):
                self.runs, self.secs, self.artifact = runs, 1.0, artifact
                self.rc = 1 if artifact else 0
                self.ok = not artifact

            def line(self):
                return "fake"

        def run_one(target, seconds=None, runs=None, append=False, seed=None, corpus=None):
            calls.append((seconds, runs, append))
            self.seeds.append((seed, corpus))
            return R(*next(it))

        def timeout_reproduces(target, art):
            seen.append(art)
            return reproduces

        saved = takt_fuzz.run_one, takt_fuzz.timeout_reproduces, takt_fuzz.root
        self.addCleanup(setattr, takt_fuzz, "run_one", saved[0])
        self.addCleanup(setattr, takt_fuzz, "timeout_reproduces", saved[1])
        self.addCleanup(setattr, takt_fuzz, "root", saved[2])
        takt_fuzz.run_one, takt_fuzz.timeout_reproduces = run_one, timeout_reproduces
        d = tempfile.mkdtemp()
        self.addCleanup(lambda: __import__("shutil").rmtree(d))
        takt_fuzz.root = lambda *p: os.path.join(d, *p)
        for _, art in results:
            if art:
                open(os.path.join(d, art), "w").close()
        return calls, seen, d

    def test_load_timeout_goes_on(self):
        calls, seen, d = self.fake([(300, "timeout-abc"), (700, None)], reproduces=False)
        r = takt_fuzz.campaign("mqtt", runs=1000)
        self.assertTrue(r.ok)
        self.assertEqual(r.runs, 1000)
        self.assertEqual(calls, [(None, 1000, False), (None, 700, True)])
        self.assertEqual(seen, ["timeout-abc"])
        self.assertFalse(os.path.exists(os.path.join(d, "timeout-abc")))

    def test_reproducing_timeout_fails(self):
        calls, seen, d = self.fake([(300, "timeout-abc")], reproduces=True)
        r = takt_fuzz.campaign("mqtt", runs=1000)
        self.assertFalse(r.ok)
        self.assertEqual(r.artifact, "timeout-abc")
        self.assertTrue(os.path.exists(os.path.join(d, "timeout-abc")))

    def test_crash_is_never_retried(self):
        calls, seen, d = self.fake([(5, "crash-abc")], reproduces=False)
        r = takt_fuzz.campaign("mqtt", seconds=15)
        self.assertFalse(r.ok)
        self.assertEqual(seen, [])
        self.assertEqual(len(calls), 1)

    def test_test_step_is_seeded_from_a_fresh_corpus(self):
        calls, seen, d = self.fake([(100, None)] * len(takt_fuzz.TARGETS), reproduces=False)

        class T:
            passed = failed = 0
            problems = []

            def header(self, *a):
                pass
            footer = case = header

        saved = takt_fuzz.build
        self.addCleanup(setattr, takt_fuzz, "build", saved)
        takt_fuzz.build = lambda: 0
        takt_fuzz.test_targets(T(), "fuzz")
        self.assertEqual(len(self.seeds), len(takt_fuzz.TARGETS))
        for seed, corpus in self.seeds:
            self.assertEqual(seed, takt_fuzz.TEST_SEED)
            self.assertTrue(corpus and os.path.basename(corpus).startswith("takt-fuzz-"))


class FailureLine(unittest.TestCase):
    """A failed run's line names the sanitizer's summary and, when small, the crash
    input itself (base64): a CI log is then enough to reproduce it."""

    def result(self, size):
        d = tempfile.mkdtemp()
        self.addCleanup(lambda: __import__("shutil").rmtree(d))
        art = os.path.join(d, "crash-1")
        with open(art, "wb") as f:
            f.write(b"\xd0\r\xfe\xed" * (size // 4))
        log = os.path.join(d, "dt.log")
        text = ("#1000\tDONE   cov: 5 ft: 6 corp: 7/1Kb exec/s: 100 rss: 1Mb\n"
                "==1==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x1\n"
                "SUMMARY: AddressSanitizer: heap-buffer-overflow dt_raw.c:40 in prop_after\n"
                "artifact_prefix='x'; Test unit written to %s\n" % art)
        open(log, "w").write(text)
        saved = takt_fuzz.cli
        self.addCleanup(setattr, takt_fuzz, "cli", saved)
        takt_fuzz.cli = type("C", (), {"ROOT": d})
        return takt_fuzz.Result("dt", 1, 2.0, log, text)

    def test_small_input_shown(self):
        line = self.result(8).line()
        self.assertIn("FAILED, crash input crash-1", line)
        self.assertIn("SUMMARY: AddressSanitizer: heap-buffer-overflow dt_raw.c:40", line)
        self.assertIn("input (base64 -d > crash): 0A3+7dAN/u0=", line)

    def test_harness_invariant_named(self):
        r = self.result(8)
        text = open(r.log).read().replace(
            "==1==ERROR", "fuzz_dt.c:70: invariant failed: nreg <= 4\n==1==ERROR")
        r = takt_fuzz.Result("dt", 1, 2.0, r.log, text)
        self.assertIn("fuzz_dt.c:70: invariant failed: nreg <= 4", r.line())

    def test_large_input_named_only(self):
        line = self.result(takt_fuzz.CRASH_SHOWN + 4).line()
        self.assertIn("crash input crash-1", line)
        self.assertNotIn("base64", line)


if __name__ == "__main__":
    unittest.main()


class OneAtATime(unittest.TestCase):
    """Two ./takt fuzz on one tree share build/fuzz/: the second says it waits and
    goes in only when the first lets go of build/fuzz/.lock."""

    def test_second_run_waits_for_the_first(self):
        import queue
        import threading
        import types
        with tempfile.TemporaryDirectory() as d:
            saved, takt_fuzz.cli = takt_fuzz.cli, types.SimpleNamespace(ROOT=d)
            os.makedirs(os.path.join(d, "build", "fuzz"))
            holder = subprocess.Popen(
                [sys.executable, "-c",
                 "import fcntl,sys; f=open(sys.argv[1],'a+'); fcntl.flock(f, fcntl.LOCK_EX); "
                 "print('held', flush=True); sys.stdin.read()",
                 os.path.join(d, "build", "fuzz", ".lock")],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            try:
                self.assertEqual(holder.stdout.readline().strip(), "held")
                said, entered = queue.Queue(), threading.Event()

                def second():
                    with takt_fuzz.exclusive(said.put):
                        entered.set()
                t = threading.Thread(target=second)
                t.start()
                self.assertIn("waiting for it to finish", said.get(timeout=30))
                self.assertFalse(entered.is_set())
                holder.stdin.close()        # the first run ends
                self.assertTrue(entered.wait(30))
                t.join(30)
            finally:
                holder.kill()
                holder.wait()
                takt_fuzz.cli = saved

    def test_alone_it_goes_in_without_a_word(self):
        import types
        with tempfile.TemporaryDirectory() as d:
            saved, takt_fuzz.cli = takt_fuzz.cli, types.SimpleNamespace(ROOT=d)
            said = []
            try:
                with takt_fuzz.exclusive(said.append):
                    pass
            finally:
                takt_fuzz.cli = saved
            self.assertEqual(said, [])
