"""./takt test APP: the test cases an app declares in its tests.yaml, run in QEMU on
one board or all of them, with an optional JUnit XML report (takt_junit.py).

tests.yaml:
    tests:
      NAME:
        boards: [BOARD, ...]    # default: every board QEMU can boot
        bootargs: "a b"         # the kernel command line (QEMU -append)
        timeout: 30             # seconds of wall time (default 60)
        expect: [REGEX, ...]    # must match the console, in this order
        reject: [REGEX, ...]    # must not match the console
        exit: 0                 # expected QEMU exit status (default 0: the kernel's
                                # 'power: off (exit status 0)' line is needed too)
        reset: true             # success is the board resetting (a watchdog):
                                # exit 0 without that line (default false)
        icount: true            # run under -icount shift=0,align=off,sleep=off
        input:                  # typed into the console, in order:
          - after: REGEX        #   once REGEX is on the console (after the last match),
            type: "help\n"      #   these characters (YAML escapes)
      NAME2:
        script: test_x.py       # pytest file beside tests.yaml: its tests get the
                                # `guest` fixture (tools/takt_pytest_plugin.py) booted
                                # with the case's bootargs/icount; passes when pytest does

A malformed file is refused before anything is built (UsageError: exit 2). A build
failure, a timeout and a crash (a 'PANIC:' line the case does not expect) are failed
cases with the console tail, never missing ones. `cli` is the takt front end module.
"""

import concurrent.futures
import fnmatch
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

import qemu_test
import takt_crash
import takt_junit

cli = None      # set by ./takt before run()

ICOUNT = ["-icount", "shift=0,align=off,sleep=off"]
KEYS = {"boards": "a list of board names", "bootargs": "a string",
        "timeout": "a number of seconds > 0", "expect": "a list of regexes",
        "reject": "a list of regexes", "exit": "an integer", "reset": "true or false",
        "icount": "true or false",
        "input": "a list of {after: REGEX, type: TEXT}",
        "script": "a pytest file (.py) beside tests.yaml"}
NAME_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
TAIL_LINES = 40


class Case:
    def __init__(self, name, boards, bootargs, timeout, expect, reject, exit, icount,
                 typed=(), script=None, reset=False):
        self.name, self.boards, self.bootargs = name, boards, bootargs
        self.timeout, self.expect, self.reject = timeout, expect, reject
        self.exit, self.icount, self.typed = exit, icount, list(typed)
        self.script, self.reset = script, reset


# -- tests.yaml -----------------------------------------------------------------------

def load(path, known_boards):
    """The cases of a tests.yaml, in file order; UsageError naming file, case, problem."""
    try:
        import yaml
    except ImportError:         # a fresh machine: setup installs python3-yaml
        cli.run_setup(quiet=True)
        import yaml
    try:
        with open(path) as f:
            doc = yaml.safe_load(f)
    except OSError as e:
        raise cli.UsageError("%s: cannot read: %s" % (path, e.strerror))
    except yaml.YAMLError as e:
        raise cli.UsageError("%s: not valid YAML: %s" % (path, " ".join(str(e).split())))
    if not isinstance(doc, dict) or set(doc) != {"tests"}:
        raise cli.UsageError("%s: the top level must be a mapping with the one key 'tests'"
                             % path)
    tests = doc["tests"]
    if not isinstance(tests, dict) or not tests:
        raise cli.UsageError("%s: 'tests' must map case names to their settings" % path)
    return [parse_case(path, name, body, known_boards) for name, body in tests.items()]


def parse_case(path, name, body, known_boards):
    def bad(problem):
        return cli.UsageError("%s: case '%s': %s" % (path, name, problem))
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise bad("a case name is letters, digits, '_', '.', '-'")
    body = {} if body is None else body
    if not isinstance(body, dict):
        raise bad("settings must be a mapping (keys: %s)" % ", ".join(KEYS))
    for key in body:
        if key not in KEYS:
            raise bad("unknown key '%s' (keys: %s)" % (key, ", ".join(KEYS)))

    def get(key, types, default, ok=lambda v: True):
        v = body.get(key, default)
        types = types if isinstance(types, tuple) else (types,)
        # bool is an int in Python: 'exit: true' and 'timeout: yes' are type errors.
        if (isinstance(v, bool) and bool not in types) or not isinstance(v, types) \
                or not ok(v):
            raise bad("'%s' must be %s, not %r" % (key, KEYS[key], v))
        return v

    def str_list(key):
        v = body.get(key, [])
        v = [v] if isinstance(v, str) else v
        if not isinstance(v, list) or not all(isinstance(s, str) for s in v):
            raise bad("'%s' must be %s" % (key, KEYS[key]))
        return v

    boards = str_list("boards") or [b for b in known_boards if cli.board_has_qemu(b)]
    for b in boards:
        if b not in known_boards:
            raise bad("unknown board '%s' (known: %s)" % (b, ", ".join(known_boards)))
        if not cli.board_has_qemu(b):
            raise bad("board '%s' has no QEMU model: its cases cannot run" % b)
    regexes = {}
    for key in ("expect", "reject"):
        regexes[key] = str_list(key)
        for rx in regexes[key]:
            try:
                re.compile(rx, re.M)
            except re.error as e:
                raise bad("'%s': bad regex %r: %s" % (key, rx, e))
    return Case(name, boards, get("bootargs", str, None) if "bootargs" in body else None,
                get("timeout", (int, float), 60, lambda v: v > 0),
                regexes["expect"], regexes["reject"], get("exit", int, 0),
                get("icount", bool, False), parse_input(body.get("input", []), bad),
                parse_script(path, body, bad), get("reset", bool, False))


def parse_script(path, body, bad):
    """script: the pytest file's path, beside tests.yaml; None without the key."""
    if "script" not in body:
        return None
    name = body["script"]
    if not isinstance(name, str) or not name.endswith(".py") or "/" in name:
        raise bad("'script' must be %s, not %r" % (KEYS["script"], name))
    if set(body) & {"expect", "reject", "input", "exit", "reset"}:
        raise bad("'script' cases check in the script: no expect, reject, input, exit "
                  "or reset")
    full = os.path.join(os.path.dirname(os.path.abspath(path)), name)
    if not os.path.isfile(full):
        raise bad("'script': no file %s" % full)
    return full


def parse_input(steps, bad):
    """input: [{after: REGEX, type: TEXT}, ...] as [(regex, text)]."""
    out = []
    if not isinstance(steps, list):
        raise bad("'input' must be %s" % KEYS["input"])
    for k, step in enumerate(steps):
        if not (isinstance(step, dict) and set(step) == {"after", "type"} and
                isinstance(step["after"], str) and isinstance(step["type"], str)):
            raise bad("'input' step %d must be {after: REGEX, type: TEXT}" % (k + 1))
        try:
            re.compile(step["after"], re.M)
        except re.error as e:
            raise bad("'input' step %d: bad regex %r: %s" % (k + 1, step["after"], e))
        out.append((step["after"], step["type"]))
    return out


# -- running --------------------------------------------------------------------------

def tail(text, n=TAIL_LINES):
    """The last n lines, a crash core's base64 folded into one (takt_crash.fold)."""
    return "\n".join(takt_crash.fold(text).rstrip("\n").split("\n")[-n:])


def boot(cmd, timeout, typed=(), env=None, cwd=None):
    """(exit status or None on timeout, console text). QEMU in its own process group,
    killed with it at the timeout. typed: (regex, text) typed into the console in
    order, each once its regex is on the console after the previous one's match
    (qemu_test.run)."""
    if typed:
        import qemu_test
        rc, out = qemu_test.run(cmd, [(rx, text.encode("utf-8")) for rx, text in typed],
                                timeout)
        return rc, out.decode("utf-8", "replace").replace("\r\n", "\n")
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True, env=env,
                            cwd=cwd)
    try:
        out, _ = proc.communicate(timeout=timeout)
        rc = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        rc = None
    return rc, out.decode("utf-8", "replace").replace("\r\n", "\n")


def verdict(case, rc, out):
    """(kind, message) of the first problem, or None when the case passed."""
    if rc is None:
        return "timeout", "no exit within %g s (timeout)" % case.timeout
    expects_panic = any("PANIC" in rx for rx in case.expect)
    panic = re.search(r"^PANIC:.*$", out, re.M)
    if panic and not expects_panic:
        return "crash", "crashed: %s (exit status %d)" % (panic.group(0), rc)
    pos = 0
    for rx in case.expect:
        m = re.compile(rx, re.M).search(out, pos)
        if not m:
            later = " after the previous match" if re.search(rx, out, re.M) else ""
            return "expect", "missing /%s/%s" % (rx, later)
        pos = m.end()
    for rx in case.reject:
        m = re.search(rx, out, re.M)
        if m:
            return "reject", "unexpected /%s/: %r" % (rx, m.group(0))
    if rc != case.exit:
        return "exit", "exit status %d, expected %d" % (rc, case.exit)
    # QEMU exits 0 on any guest reset (-no-reboot): a triple fault or a
    # watchdog part-way through is not a pass
    if rc == 0 and not case.reset and not qemu_test.powered_off(out):
        return "exit", ("exit status 0 without the kernel's 'power: off (exit status 0)': "
                        "the guest reset (a crash or a watchdog; 'reset: true' if that is "
                        "the case's success)")
    return None


def qemu_cmd(build_dir):
    with open(os.path.join(build_dir, "run.json")) as f:
        qemu = json.load(f)["qemu"]
    if not (isinstance(qemu, list) and qemu and all(isinstance(a, str) for a in qemu)):
        raise ValueError("'qemu' is not a list of strings")
    return qemu


def save_core(out, build_dir, name):
    """The crash core on a crashed case's console into build_dir/crash-NAME.core;
    what to add to the failure message."""
    path = os.path.join(build_dir, "crash-%s.core" % name)
    try:
        core = takt_crash.extract(out)
        if core is None:
            return ""
        with open(path, "wb") as f:
            f.write(core)
    except (takt_crash.CrashError, OSError) as e:
        return "; crash core not saved: %s" % e
    return "; crash core: %s" % path


def run_case(case, board, build_dir, lock):
    start = time.monotonic()
    try:
        cmd = qemu_cmd(build_dir)
    except (OSError, ValueError, KeyError) as e:
        return takt_junit.Result(board, case.name, "error", "cannot read run.json: %s" % e,
                                 "", time.monotonic() - start)
    if case.script:
        v, out = run_script(case, build_dir)
    else:
        if case.bootargs is not None:
            cmd += ["-append", case.bootargs]
        if case.icount:
            cmd += ICOUNT
        rc, out = boot(cmd, case.timeout, case.typed)
        v = verdict(case, rc, out)
        if v and v[0] == "crash":
            v = (v[0], v[1] + save_core(out, build_dir, case.name))
    took = time.monotonic() - start
    with lock:
        if v:
            print("[test] FAIL %s on %s: %s (%.1f s)\n%s" % (case.name, board, v[1], took,
                  "\n".join("    | " + ln for ln in tail(out, 10).split("\n"))), flush=True)
        else:
            print("[test] PASS %s on %s (%.1f s)" % (case.name, board, took), flush=True)
    if v:
        return takt_junit.Result(board, case.name, v[0], v[1], out, took)
    return takt_junit.Result(board, case.name, None, "", out, took)


def pytest_python():
    """A python3 that has pytest: this one, else Debian's (./takt setup installs
    python3-pytest there; a pyenv or venv python3 may come first on PATH)."""
    import importlib.util
    if importlib.util.find_spec("pytest"):
        return sys.executable
    if os.path.exists("/usr/bin/python3"):
        return "/usr/bin/python3"
    raise cli.Failure("no python3 with pytest: run ./takt setup (python3-pytest)")


def run_script(case, build_dir):
    """pytest on the case's script with the guest fixture; (None or (kind, message),
    pytest's output and the guest's console)."""
    with tempfile.TemporaryDirectory() as d:
        console = os.path.join(d, "console.log")
        env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.abspath(__file__)),
                   TAKT_CASE=json.dumps({"run_json": os.path.join(build_dir, "run.json"),
                                         "bootargs": case.bootargs, "icount": case.icount,
                                         "console_log": console}))
        cmd = [pytest_python(), "-m", "pytest", "-q", "-p", "takt_pytest_plugin",
               "-p", "no:cacheprovider", case.script]
        rc, out = boot(cmd, case.timeout, env=env, cwd=os.path.dirname(case.script))
        try:
            with open(console, errors="replace") as f:
                out += "\n--- the guest's console ---\n" + f.read()
        except OSError:
            pass
    if rc is None:
        return ("timeout", "no end within %g s (timeout)" % case.timeout), out
    if rc == 0:
        return None, out
    if rc == 5:
        return ("script", "pytest found no test in %s" % os.path.basename(case.script)), out
    summary = [ln for ln in out.split("\n") if ln.startswith(("FAILED", "ERROR"))]
    return ("script", summary[0] if summary else "pytest exited %d" % rc), out


def build(board, name, app_dir):
    """(build dir, None) or (None, build log tail)."""
    with tempfile.TemporaryFile("w+") as log:
        try:
            return cli.build_app(board, name, app_dir, out=log), None
        except cli.Failure as e:
            log.seek(0)
            return None, "%s\n%s" % (e, tail(log.read()))


def select_boards(opts, known):
    if "--all-boards" in opts:
        if "-b" in opts:
            raise cli.UsageError("-b and --all-boards exclude each other")
        return [b for b in known if cli.board_has_qemu(b)]
    board = cli.check_board(opts.get("-b", cli.DEFAULT_BOARD))
    if not cli.board_has_qemu(board):
        raise cli.UsageError("board %s has no QEMU model: its app tests cannot run" % board)
    return [board]


def jobs(opts):
    j = opts.get("-j", "1")
    if not (j.isdigit() and 0 < int(j) <= 64):
        raise cli.UsageError("-j: %r is not a number of parallel runs (1..64)" % j)
    return int(j)


def run(opts, app):
    name, app_dir = cli.resolve_app(app)
    path = os.path.join(app_dir, "tests.yaml")
    if not os.path.isfile(path):
        raise cli.UsageError("app %s has no tests.yaml (%s)" % (name, path))
    known = cli.boards()
    cases = load(path, known)
    boards, njobs = select_boards(opts, known), jobs(opts)
    pattern = opts.get("-k")
    if pattern is not None:
        cases = [c for c in cases if fnmatch.fnmatchcase(c.name, pattern)
                 or pattern in c.name]
    pairs = [(c, b) for b in boards for c in cases if b in c.boards]
    if not pairs:
        raise cli.UsageError("no case of %s runs on %s%s" % (
            path, ", ".join(boards), " matching -k %s" % pattern if pattern else ""))
    cli.run_setup(quiet=True)
    results, lock = [], threading.Lock()
    build_dirs = {}
    for board in sorted({b for _, b in pairs}, key=boards.index):
        print("[test] building %s for %s" % (name, board), flush=True)
        build_dirs[board] = build(board, name, app_dir)
        if build_dirs[board][0] is None:
            print("[test] FAIL build of %s for %s:\n%s" % (name, board,
                  build_dirs[board][1]), flush=True)
    todo = []
    for case, board in pairs:
        bdir, log = build_dirs[board]
        if bdir is None:
            results.append(takt_junit.Result(board, case.name, "build",
                                             "build failed", log, 0.0))
        else:
            todo.append((case, board, bdir))
    with concurrent.futures.ThreadPoolExecutor(max_workers=njobs) as pool:
        futures = [pool.submit(run_case, c, b, d, lock) for c, b, d in todo]
        results += [f.result() for f in futures]
    order = {(b, c.name): i for i, (c, b) in enumerate(pairs)}
    results.sort(key=lambda r: order[(r.board, r.case)])
    if "--junit" in opts:
        takt_junit.write(opts["--junit"], name, results)
        print("junit: %s" % os.path.abspath(opts["--junit"]), flush=True)
    failed = sum(1 for r in results if r.kind)
    print("%d passed, %d failed" % (len(results) - failed, failed), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit("run through ./takt test APP")
