"""./takt fuzz [TARGET] [--time SECONDS] [--runs N] [--seed N] [--fresh] [--list]:
libFuzzer on the parsers
that read input Takt did not write (tests/fuzz/fuzz_TARGET.c, built with Debian's
clang-14 under ASan and UBSan), and the short fuzz step of ./takt test.

Seeds come from the unit tests' inputs: tests/unit/dts/*.dts compiled to DTBs, the
string literals of the unit tests that feed a parser, and the small inputs kept in
tests/fuzz/seeds/TARGET/ (among them every crash the fuzzers found, now fixed). Each
target keeps its growing corpus in build/fuzz/corpus/TARGET and a crashing input in
build/fuzz/artifacts/TARGET/. One fuzzer runs at a time, under nice, with one job:
the host's other work goes first; a second ./takt fuzz (or ./takt test's fuzz step) on
the same tree waits for the first, since they share build/fuzz/.
"""

import base64
import contextlib
import fcntl
import glob
import os
import re
import shutil
import struct
import subprocess
import tempfile
import time

cli = None      # the takt front end module, set by ./takt

# target: what its harness reads (./takt fuzz --list)
TARGETS = {
    "dt": "a DTB: validation, accessors, device matcher, probe order, memory map",
    "settings": "a command line: bootargs split, net.*, metrics.*, syslog=, mqtt*",
    "pvh": "the PVH start info, its memory map and command line",
    "qemu_dt": "QEMU's fw_cfg etc/fdt merged into the kernel's microvm DT",
    "http": "HTTP request heads in TCP-sized pieces, basic auth",
    "virtio_used": "a device's used-ring ids against the chains in flight",
    "mqtt": "broker packets as lwIP's MQTT client reads them (the gateway's input)",
}
DEFAULT_SECONDS = 60        # ./takt fuzz without --time: per target
TEST_SECONDS = 15           # ./takt test: per target (7 targets, under 3 min in all)
# ./takt test's step is a regression run, the same on every machine: libFuzzer's
# random seed fixed and a fresh corpus (the seeds only), so a failure in CI is the
# same inputs here (`./takt fuzz TARGET --seed 1 --fresh`; a faster machine just
# gets further along them). ./takt fuzz explores: a new seed each run, the kept
# corpus. (Stop 31's CI failed on a dt crash from a random seed that 10^7 runs
# here did not find again: nothing of it was left to reproduce.)
TEST_SEED = 1
CRASH_SHOWN = 4096          # bytes: a crash input this small goes into the failure line
TIMEOUT = 10                # s, libFuzzer's -timeout: one input taking longer is a failure
PACKAGES = ["clang-14", "libfuzzer-14-dev", "libfdt-dev", "device-tree-compiler", "cmake",
            "dpkg-dev"]    # dpkg-dev: apt-get source lwip
# The unit tests whose string literals seed a target.
LITERAL_SOURCES = {
    "settings": ["test_bootargs.c", "test_net_config.c", "test_syslog_target.c"],
    "http": ["test_http_parse.c", "test_http_parse_split.c"],
    "pvh": ["test_pvh.c"],
}


def root(*p):
    return os.path.join(cli.ROOT, *p)


# -- set-up: the compiler, libFuzzer and lwIP's sources, fetched once ------------------------

def ensure_packages():
    import takt_setup
    setup = takt_setup.Setup(quiet=True, verbose=cli.VERBOSE)
    try:
        setup.ensure_lazy(PACKAGES, "fuzzing needs clang-14 and libFuzzer (Debian packages, once)")
        setup.ensure_lwip()     # fuzz_mqtt compiles lwIP's MQTT client (once, quiet after)
    except takt_setup.SetupError as e:
        raise cli.Failure("setup: %s" % e)


@contextlib.contextmanager
def exclusive(out=lambda m: print(m, flush=True)):
    """Hold build/fuzz/.lock: two runs at once raced on the build directory (one
    failed to link) and on the corpora. The second says it waits, then waits."""
    os.makedirs(root("build", "fuzz"), exist_ok=True)
    with open(root("build", "fuzz", ".lock"), "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            out("[fuzz] another ./takt fuzz or ./takt test uses build/fuzz/ on this tree; "
                "waiting for it to finish ...")
            fcntl.flock(f, fcntl.LOCK_EX)
        yield


def build(out=None):
    """tests/fuzz into build/fuzz/bin with clang-14. @return 0 or the failing status"""
    bdir = root("build", "fuzz", "bin")
    args = cli.configure_args(root("tests", "fuzz"), bdir) + ["-DCMAKE_C_COMPILER=clang-14"]
    rc = cli.call(args, out)
    return rc if rc else cli.call(cli.build_args(bdir), out)


# -- seeds ------------------------------------------------------------------------------

C_STRING_RE = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def c_literals(path):
    """The string literals of a C file, unescaped as C reads them (adjacent ones
    joined), without format strings and test names."""
    text = open(path, encoding="utf-8").read()
    text = re.sub(r'"\s*\n\s*"', "", text)         # "a" "b" on two lines
    out = []
    for m in C_STRING_RE.finditer(text):
        s = m.group(1)
        if "%" in s or s.endswith(".dtb") or s.startswith("test_"):
            continue
        try:
            b = s.encode("latin-1").decode("unicode_escape").encode("latin-1")
        except (UnicodeError, ValueError):
            continue
        out.append(b)
    return out


def pvh_seeds():
    """Start infos as QEMU gives them: a memory map (RAM below 640 KiB, reserved,
    RAM from 1 MiB) and a command line with microvm's virtio_mmio.device words."""
    base = 0x1000 + 56          # fuzz_pvh.c: guest memory at 0x1000, after the info
    mm = [(0, 0x9fc00, 1), (0x9fc00, 0x400, 2), (0xf0000, 0x10000, 2),
          (0x100000, 0x7f00000, 1), (0xfeffc000, 0x4000, 2)]
    blob = b"".join(struct.pack("<QQII", a, s, t, 0) for a, s, t in mm)
    lines = [b"console=ttyS0 virtio_mmio.device=512@0xfeb00e00:12 net.ip=10.0.2.15/24",
             b"virtio_mmio.device=512@0xfeb00000:10\tapp 'a b' \"c\""]
    lines += [s for s in c_literals(root("tests", "unit", "test_pvh.c")) if b" " in s]
    seeds = []
    for line in lines:
        info = struct.pack("<IIIIQQQQII", 0x336ec578, 1, 0, 0, 0, base + len(blob), 0,
                           base, len(mm), 0)
        seeds.append(info + blob + line + b"\0")
    return seeds


def mqtt_seeds():
    """Broker packets (MQTT 3.1.1, 2): CONNACK accepted and refused, PUBACK, SUBACK,
    PINGRESP, a QoS 0 and a QoS 1 PUBLISH, and all of them in one TCP segment."""
    pkts = [b"\x20\x02\x00\x00", b"\x20\x02\x00\x05", b"\x40\x02\x00\x01",
            b"\x90\x03\x00\x02\x00", b"\xd0\x00",
            b"\x30\x0f\x00\x08takt/cmd" + b"hello",
            b"\x32\x11\x00\x08takt/cmd\x00\x07" + b"hello"]
    return pkts + [b"".join(pkts)]


def make_seeds(target):
    """build/fuzz/seeds/TARGET, regenerated from the unit tests' inputs. @return dir"""
    sdir = root("build", "fuzz", "seeds", target)
    shutil.rmtree(sdir, ignore_errors=True)
    os.makedirs(sdir)
    seeds = []
    if target in ("dt", "qemu_dt"):
        for dts in sorted(glob.glob(root("tests", "unit", "dts", "*.dts"))):
            out = os.path.join(sdir, os.path.basename(dts)[:-4] + ".dtb")
            subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", out, dts], check=True)
    for name in LITERAL_SOURCES.get(target, []):
        seeds += c_literals(root("tests", "unit", name))
    if target == "settings":    # every key=value literal on one command line too
        seeds.append(b" ".join(s for s in seeds if b"=" in s and b"\n" not in s))
    elif target == "http":      # the first byte is the size of the TCP pieces
        seeds = [bytes([n]) + s for s in seeds if b"\r\n" in s for n in (0, 7)]
    elif target == "pvh":
        seeds = pvh_seeds()
    elif target == "mqtt":
        seeds = mqtt_seeds()
    for i, s in enumerate(seeds):
        with open(os.path.join(sdir, "lit-%03d" % i), "wb") as f:
            f.write(s)
    for f in glob.glob(root("tests", "fuzz", "seeds", target, "*")):
        shutil.copy(f, sdir)
    return sdir


# -- running ----------------------------------------------------------------------------

STAT_RE = re.compile(r"^#(\d+)\s+(?:DONE|pulse|NEW|REDUCE|INITED)\s+cov: (\d+) ft: (\d+)"
                     r" corp: (\d+)/\S+.*?exec/s: (\d+)", re.M)
ARTIFACT_RE = re.compile(r"Test unit written to (\S+)")
# the first of: a harness invariant (FUZZ_CHECK), UBSan's report, the sanitizer's summary
SUMMARY_RE = re.compile(r"^(.*invariant failed: .*|.*runtime error: .*|SUMMARY: .*)$", re.M)


class Result:
    def __init__(self, target, rc, secs, log, text):
        self.target, self.rc, self.secs, self.log = target, rc, secs, log
        m = None
        for m in STAT_RE.finditer(text):
            pass
        self.runs, self.cov, self.ft, self.corpus = (
            (int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4)))
            if m else (0, 0, 0, 0))
        a = ARTIFACT_RE.search(text)
        self.artifact = os.path.relpath(a.group(1), cli.ROOT) if a else None
        self.ok = rc == 0 and not self.artifact
        s = SUMMARY_RE.search(text)
        self.summary = s.group(1).strip() if s else None

    def line(self):
        rate = self.runs / self.secs if self.secs else 0
        s = ("%s: %d runs in %.0f s (%.0f/s), cov %d ft %d, corpus %d"
             % (self.target, self.runs, self.secs, rate, self.cov, self.ft, self.corpus))
        if self.ok:
            return s + ": ok"
        why = ("crash input %s" % self.artifact if self.artifact
               else "libFuzzer exited %d" % self.rc)
        s += ": FAILED, %s (log %s)" % (why, os.path.relpath(self.log, cli.ROOT))
        return s + "".join("\n    " + x for x in self.evidence())

    def evidence(self):
        """What a CI log must carry to reproduce the failure elsewhere: the
        sanitizer's summary and a small crash input, base64."""
        out = [self.summary] if self.summary else []
        path = self.artifact and os.path.join(cli.ROOT, self.artifact)
        if path and os.path.isfile(path) and os.path.getsize(path) <= CRASH_SHOWN:
            with open(path, "rb") as f:
                b64 = base64.b64encode(f.read()).decode()
            out.append("input (base64 -d > crash): " + b64)
        return out


def fuzz_bin(target):
    return root("build", "fuzz", "bin", "fuzz_" + target)


def run_one(target, seconds=None, runs=None, append=False, seed=None, corpus=None):
    """One fuzzer, niced, single job, until seconds or runs; seed: libFuzzer's
    (None: random), corpus: its directory (None: the kept one). @return Result (of
    this run alone; with append, its log goes after the previous run's)"""
    fz = root("build", "fuzz")
    corpus = corpus or os.path.join(fz, "corpus", target)
    art = os.path.join(fz, "artifacts", target)
    for d in (corpus, art, os.path.join(fz, "logs")):
        os.makedirs(d, exist_ok=True)
    seeds = make_seeds(target)
    log = os.path.join(fz, "logs", target + ".log")
    cmd = ["nice", "-n", "19", fuzz_bin(target),
           "-artifact_prefix=" + art + "/", "-print_final_stats=1", "-timeout=%d" % TIMEOUT,
           "-rss_limit_mb=2048", "-max_len=16384", corpus, seeds]
    if runs:
        cmd.insert(4, "-runs=%d" % runs)
    if seed is not None:
        cmd.insert(4, "-seed=%d" % seed)
    if seconds:
        cmd.insert(4, "-max_total_time=%d" % seconds)
    start = time.monotonic()
    with open(log, "a" if append else "w") as f:
        begin = f.tell()
        rc = subprocess.call(cmd, stdout=f, stderr=subprocess.STDOUT)
    with open(log, errors="replace") as f:
        f.seek(begin)
        text = f.read()
    return Result(target, rc, time.monotonic() - start, log, text)


def timeout_reproduces(target, artifact):
    """A timeout input run again alone, not niced: does it still take too long? A
    niced fuzzer starved by a loaded host times out on inputs that run in
    milliseconds (a 108-byte MQTT input took 11 s so while four QEMUs and lava-run
    ran, and 0.1 s alone)."""
    rc = subprocess.call([fuzz_bin(target), "-timeout=%d" % TIMEOUT, "-runs=1",
                          root(artifact)], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    return rc != 0


def campaign(target, seconds=None, runs=None, seed=None, corpus=None):
    """run_one until seconds or runs, going on past a timeout that does not reproduce
    alone (its input is deleted and said). @return Result over the whole campaign"""
    total, spent, append = None, 0.0, False
    while True:
        r = run_one(target, seconds and max(1, int(seconds - spent)),
                    runs and runs - (total.runs if total else 0), append, seed, corpus)
        if total:
            r.runs, r.secs = r.runs + total.runs, r.secs + total.secs
        total, spent, append = r, r.secs, True
        art = r.artifact
        if not art or not os.path.basename(art).startswith("timeout-") or \
                timeout_reproduces(target, art):
            return r
        os.remove(root(art))
        print("[fuzz] %s: a timeout that did not reproduce alone (host load): %s deleted, "
              "going on after %d runs" % (target, art, r.runs), flush=True)
        if (seconds and spent >= seconds) or (runs and r.runs >= runs):
            r.rc, r.artifact, r.ok = 0, None, True
            return r


def check_args(opts, pos):
    """(targets, seconds, runs) from the command line; UsageError on a bad one."""
    targets = list(TARGETS)
    if pos:
        if pos[0] not in TARGETS:
            raise cli.UsageError("unknown fuzz target '%s' (targets: %s)"
                                 % (pos[0], ", ".join(TARGETS)))
        targets = [pos[0]]
    seconds, runs = DEFAULT_SECONDS, None
    for opt, lo in (("--time", 1), ("--runs", 1)):
        v = opts.get(opt)
        if v is not None and (not v.isdigit() or int(v) < lo):
            raise cli.UsageError("%s wants a whole number >= %d, not '%s'" % (opt, lo, v))
    if "--time" in opts:
        seconds = int(opts["--time"])
    if "--runs" in opts:         # with --time too: whichever comes first
        runs = int(opts["--runs"])
        seconds = int(opts["--time"]) if "--time" in opts else None
    return targets, seconds, runs


def seed_args(opts):
    """(seed, fresh): --seed N (libFuzzer's, 1..2^32-1: its 0 means random; None:
    random) and --fresh (a new corpus of the seeds only: ./takt test's step is
    --seed 1 --fresh)."""
    v = opts.get("--seed")
    if v is not None and (not v.isdigit() or not 1 <= int(v) < 1 << 32):
        raise cli.UsageError("--seed wants a whole number from 1 to 4294967295, not '%s'" % v)
    return (int(v) if v is not None else None), bool(opts.get("--fresh"))


def run(opts, pos):
    """./takt fuzz. @return exit status: 0 all ran clean, 1 a crash or a failure"""
    targets, seconds, runs = check_args(opts, pos)
    seed, fresh = seed_args(opts)
    if opts.get("--list"):
        for t, what in TARGETS.items():
            print("%-12s %s" % (t, what))
        return 0
    ensure_packages()
    with exclusive():
        return run_targets(targets, seconds, runs, seed, fresh)


def run_targets(targets, seconds, runs, seed=None, fresh=False):
    if build() != 0:
        raise cli.Failure("build of tests/fuzz failed")
    failed = 0
    for t in targets:
        limits = ["%d runs" % runs] if runs else []
        limits += ["%d s" % seconds] if seconds else []
        how = ("seed %d" % seed if seed is not None else "random seed") + \
            (", fresh corpus" if fresh else "")
        print("[fuzz] %s: %s (%s) ..." % (t, " or ".join(limits), how), flush=True)
        with tempfile.TemporaryDirectory(prefix="takt-fuzz-") as d:
            r = campaign(t, seconds, runs, seed, d if fresh else None)
        print("[fuzz] " + r.line(), flush=True)
        failed += not r.ok
    print("[fuzz] %d target(s) clean, %d failed" % (len(targets) - failed, failed), flush=True)
    return 1 if failed else 0


def test_step(t):
    """./takt test's fuzz step: each target for TEST_SECONDS from a fresh corpus
    with seed TEST_SEED, one report case each."""
    title = "fuzz (libFuzzer, %d s per target, seed %d)" % (TEST_SECONDS, TEST_SEED)
    t.header(title)
    t.suite = "fuzz"
    ensure_packages()
    with exclusive():
        test_targets(t, title)


def test_targets(t, title):
    if build() != 0:
        t.problem("build of tests/fuzz failed")
        t.footer(title, 0, 1)
        return
    passed = failed = 0
    for target in TARGETS:
        with tempfile.TemporaryDirectory(prefix="takt-fuzz-") as corpus:
            r = campaign(target, TEST_SECONDS, seed=TEST_SEED, corpus=corpus)
        print("[fuzz] " + r.line(), flush=True)
        t.case("fuzz_" + target, None if r.ok else "fail", "" if r.ok else r.line(),
               "" if r.ok else open(r.log, errors="replace").read()[-4000:])
        passed += r.ok
        failed += not r.ok
        if not r.ok:
            t.problems.append(r.line())
    t.passed += passed
    t.failed += failed
    t.footer(title, passed, failed)
