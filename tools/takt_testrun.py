"""./takt test: the host unit tests (cmocka under ASan/UBSan), the host tool tests
(python unittest), a short libFuzzer run of every fuzz target, then the QEMU target tests of every board (ctest), with one
closing `N passed, N failed` line. A board QEMU cannot boot gets its apps built
instead. `cli` is the takt front end module (its build and command helpers)."""

import os
import re
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

import takt_junit

cli = None      # set by ./takt before run()


CTEST_RE = re.compile(r"(\d+)% tests passed, (\d+) tests? failed out of (\d+)")
CTEST_FAILED_RE = re.compile(r"^\s*\d+ - (\S+) \(", re.M)


def ctest_counts(text):
    """(passed, failed) from ctest's summary line, or None if there is none."""
    m = None
    for m in CTEST_RE.finditer(text):
        pass
    if not m:
        return None
    failed, total = int(m.group(2)), int(m.group(3))
    return total - failed, failed


def ctest_failed_names(text):
    """The names in ctest's "The following tests FAILED:" list, in order."""
    head = text.rfind("The following tests FAILED:")
    if head < 0:
        return []
    return CTEST_FAILED_RE.findall(text[head:])


class TestRun:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.problems = []
        self.start = time.monotonic()
        self.step_start = self.start
        self.suite = "takt"         # JUnit suite of the step running
        self.results = []           # takt_junit.Result per case, for --junit

    def case(self, name, kind, message, output=""):
        self.results.append(takt_junit.Result(self.suite, name, kind, message, output,
                                              time.monotonic() - self.step_start))

    def header(self, title):
        self.step_start = time.monotonic()
        print("\n==== %s  [+%.1f s]" % (title, self.step_start - self.start), flush=True)

    def footer(self, title, passed, failed):
        print("---- %s: %d passed, %d failed (%.1f s)"
              % (title, passed, failed, time.monotonic() - self.step_start), flush=True)

    def problem(self, msg):
        """A failure that is not a test case (build, configure, no summary): counts 1."""
        self.failed += 1
        self.problems.append(msg)
        self.case("problem %d" % len(self.problems), "build", msg, msg)
        print("[test] FAILED: " + msg, flush=True)

    def ctest(self, title, test_dir, parallel=False):
        args = ["ctest", "--test-dir", test_dir, "--output-on-failure"]
        if parallel:
            args += ["-j2"]
        if cli.VERBOSE:
            args += ["-V"]
        junit = tempfile.NamedTemporaryFile(suffix=".xml", delete=False).name
        args += ["--output-junit", junit]
        try:
            rc, text = cli.call_capture(args)
            self.ctest_cases(junit)
        finally:
            os.unlink(junit)
        counts = ctest_counts(text)
        if counts is None and rc == 0 and "No tests were found" in text:
            print("[test] NOTICE: %s: no tests registered" % title, flush=True)
            return 0, 0
        if counts is None:
            self.problem("%s: ctest gave no summary (exit %d)" % (title, rc))
            return 0, 1
        passed, failed = counts
        self.passed += passed
        self.failed += failed
        if failed == 0 and rc != 0:
            self.problem("%s: ctest exited %d" % (title, rc))
            return passed, 1
        if failed:
            names = ctest_failed_names(text)
            self.problems.append("%s: %d test(s) failed%s" % (
                title, failed, ": " + ", ".join(names) if names else ""))
        return passed, failed

    def ctest_cases(self, path):
        """ctest's own JUnit (a case's status is 'run' when it passed) into results."""
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError):
            return      # no summary either: ctest() counts that as a problem
        for tc in root.iter("testcase"):
            out = tc.findtext("system-out") or ""
            secs = float(tc.get("time") or 0)
            status = tc.get("status", "run")
            if status in ("disabled", "notrun") and tc.find("failure") is None:
                continue
            kind = None if status == "run" and tc.find("failure") is None else "fail"
            self.results.append(takt_junit.Result(
                self.suite, tc.get("name"), kind,
                "ctest: %s" % status if kind else "", out, secs))


def unit_tests(t):
    title = "unit tests (host, ASan/UBSan)"
    t.header(title)
    t.suite = "unit"
    src = os.path.join(cli.ROOT, "tests", "unit")
    if not os.path.isfile(os.path.join(src, "CMakeLists.txt")):
        print("[test] NOTICE: tests/unit/CMakeLists.txt does not exist yet; skipped",
              flush=True)
        return
    build_dir = os.path.join(cli.ROOT, "build", "unit")
    if cli.call(cli.configure_args(src, build_dir)) != 0:
        t.problem("configure of tests/unit failed")
    elif cli.call(cli.build_args(build_dir)) != 0:
        t.problem("build of tests/unit failed")
    else:
        t.footer(title, *t.ctest(title, build_dir))
        return
    t.footer(title, 0, 1)


UNITTEST_RAN_RE = re.compile(r"^Ran (\d+) tests? in ", re.M)
UNITTEST_FAIL_RE = re.compile(r"^FAILED \((.*)\)$", re.M)


def host_tool_tests(t):
    """tests/host: the Python tests of the host tools (takt flash refusals, card image)."""
    title = "host tool tests (python unittest)"
    src = os.path.join(cli.ROOT, "tests", "host")
    if not os.path.isdir(src):
        return
    t.header(title)
    t.suite = "host"
    args = [sys.executable, "-B", "-m", "unittest", "discover", "-s", src, "-t", src]
    if cli.VERBOSE:
        args.append("-v")
    rc, text = cli.call_capture(args)
    ran = UNITTEST_RAN_RE.findall(text)
    if not ran:
        t.problem("%s: unittest gave no summary (exit %d)" % (title, rc))
        t.footer(title, 0, 1)
        return
    total, failed = int(ran[-1]), 0
    m = UNITTEST_FAIL_RE.search(text)
    if m:
        for part in m.group(1).split(","):
            key, _, n = part.strip().partition("=")
            if key in ("failures", "errors", "unexpected_successes"):
                failed += int(n)
    if rc != 0 and failed == 0:
        failed = 1
        t.problems.append("%s: unittest exited %d" % (title, rc))
    elif failed:
        t.problems.append("%s: %d test(s) failed" % (title, failed))
    t.passed += total - min(failed, total)
    t.failed += failed
    # One report case for the step: unittest names its failures in the output tail.
    t.case("python unittest (%d tests)" % total, "fail" if failed else None,
           "%d of %d failed" % (failed, total) if failed else "", text)
    t.footer(title, total - min(failed, total), failed)


def target_tests(t, board):
    t.suite = board
    if not cli.board_has_qemu(board):
        title = "builds for %s (no QEMU model)" % board
        t.header(title)
        build_only(t, title, board)
        return
    title = "target tests on %s (QEMU)" % board
    t.header(title)
    src = os.path.join(cli.ROOT, "tests", "target")
    if not os.path.isfile(os.path.join(src, "CMakeLists.txt")):
        print("[test] NOTICE: tests/target/CMakeLists.txt does not exist yet; skipped",
              flush=True)
        return
    app_root = os.path.join(src, "apps")
    test_apps = []
    if os.path.isdir(app_root):
        test_apps = [(d, os.path.join(app_root, d)) for d in sorted(os.listdir(app_root))
                     if os.path.isfile(os.path.join(app_root, d, "CMakeLists.txt"))]
    step_failed = 0
    try:
        test_apps.append(cli.resolve_app("hello"))
    except cli.UsageError:
        t.problem("apps/hello is missing")
        step_failed += 1
    for app in ("cyclictest", "gateway"):   # tests/target: cyclictest_*, tests/net
        if os.path.isfile(os.path.join(cli.ROOT, "apps", app, "CMakeLists.txt")):
            test_apps.append(cli.resolve_app(app))
    for name, app_dir in test_apps:
        try:
            cli.build_app(board, name, app_dir)
        except cli.Failure as e:
            t.problem(str(e))
            step_failed += 1
    build_dir = os.path.join(cli.ROOT, "build", board, "target-tests")
    cfg = cli.configure_args(src, build_dir) + [
        "-DBOARD=" + board, "-DTAKT_BUILD_ROOT=" + os.path.join(cli.ROOT, "build", board),
        "-DTAKT_ROOT=" + cli.ROOT]
    if cli.call(cfg) != 0:
        t.problem("configure of tests/target for %s failed" % board)
        t.footer(title, 0, step_failed + 1)
        return
    if cli.call(cli.build_args(build_dir)) != 0:
        t.problem("build of tests/target for %s failed" % board)
        t.footer(title, 0, step_failed + 1)
        return
    passed, failed = t.ctest(title, build_dir, parallel=True)
    t.footer(title, passed, failed + step_failed)


def build_only(t, title, board):
    """A board QEMU cannot boot: its apps must build (each build one case); the
    DT is checked by the host tests."""
    print("[test] %s has no QEMU model: building its apps only" % board, flush=True)
    passed = failed = 0
    for app in ("hello", "cyclictest", "gateway"):
        try:
            cli.build_app(board, *cli.resolve_app(app))
            passed += 1
            t.case("build " + app, None, "")
        except cli.Failure as e:
            t.problem(str(e))
            failed += 1
    t.passed += passed
    t.footer(title, passed, failed)


def run(opts):
    board_list = [cli.check_board(opts["-b"])] if "-b" in opts else cli.boards()
    t = TestRun()
    t.header("setup")
    cli.run_setup(quiet=False)
    if not opts.get("--target-only"):
        unit_tests(t)
        host_tool_tests(t)
        import takt_fuzz
        takt_fuzz.cli = cli
        takt_fuzz.test_step(t)
    if not opts.get("--unit-only"):
        if not board_list:
            print("[test] NOTICE: no boards under bsp/; target tests skipped", flush=True)
        for board in board_list:
            target_tests(t, board)
    print("\n==== summary  [%.1f s]" % (time.monotonic() - t.start), flush=True)
    for p in t.problems:
        print("  FAILED: " + p)
    if "--junit" in opts:
        takt_junit.write(opts["--junit"], "takt", t.results)
        print("junit: %s" % os.path.abspath(opts["--junit"]), flush=True)
    print("%d passed, %d failed" % (t.passed, t.failed), flush=True)
    return 1 if t.failed or t.problems else 0
