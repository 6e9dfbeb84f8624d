"""Set-up of Takt's host dependencies (used by ./takt; standard library only).

What it does, each step skipped when already done (see DESIGN.md section 5):

1. Debian packages: checked with dpkg-query, the missing ones installed with apt-get.
2. deb-src: only when a source package has to be fetched and apt has no source index,
   a copy of the machine's own apt entries with `Types: deb-src` is written.
3. u-boot's source tarball, fetched once into CACHE/dl; its scripts/dtc/libfdt/ is
   extracted flat into CACHE/libfdt (the device-tree-compiler source is not served).
4. lwIP: `apt-get source lwip` (Debian's patches applied) fetched once; its src/
   tree is copied into CACHE/lwip/src. mbedTLS likewise (`apt-get source mbedtls`,
   include/ and library/ into CACHE/mbedtls) for apps built with TLS.
5. promtool (the test checker for /metrics), taken out of Debian's prometheus
   package with `apt-get download` into CACHE/tools: installing the package would
   pull 100 MB and start a Prometheus server.
6. Real boards: the upstream Linux DTBs of Debian's arm64 kernel package and
   Debian's u-boot-rpi, with `apt-get download` (arm64 added to dpkg for the
   download only) into CACHE/dtbs and CACHE/u-boot-rpi (tools/takt_boardfiles.py).
7. newlib-nano, built once per arch from Debian's newlib-source into
   CACHE/newlib/<arch>/<target>/{include,lib}; a stamp holding a hash of the
   configure flags marks a finished install, and a changed hash rebuilds.

CACHE is ${XDG_CACHE_HOME:-~/.cache}/takt. Every step writes into a temporary
directory and renames it into place, so an interrupted run never leaves a half result.
"""

import glob
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

import takt_boardfiles
import takt_newlib

APT_WAIT = ["-o", "DPkg::Lock::Timeout=900"]  # another apt holding the lock: wait for it
APT_PACKAGES = [
    "cmake", "gcc", "g++", "make",
    "gcc-aarch64-linux-gnu", "binutils-aarch64-linux-gnu",
    "qemu-system-arm", "qemu-system-x86",
    "device-tree-compiler", "u-boot-tools",
    "libcmocka-dev", "libfdt-dev",
    "newlib-source", "dpkg-dev", "xz-utils", "python3",
    # FIT, card image, boot through u-boot in QEMU (cmake/fit.cmake, tools/takt_image.py)
    "u-boot-qemu", "mtools", "dosfstools", "fdisk", "openssl", "bmap-tools",
    # network tests and `./takt bench net`: real peers on loopback
    "mosquitto", "mosquitto-clients", "curl", "wrk",
    # ./takt test APP reads the app's tests.yaml (tools/takt_apptest.py)
    "python3-yaml",
    # tests.yaml script: cases (pytest with the guest fixture, tools/takt_pytest_plugin.py)
    "python3-pytest",
    # ./takt debug, run --gdb and the gdb target tests (tools/takt_debug.py)
    "gdb-multiarch",
    # cyclictest's histogram and the bench plots (tools/cyclictest_plot.py)
    "python3-matplotlib",
    # the scheduler trace's CTF output is checked by reading it (tools/takt_trace.py)
    "babeltrace2",
    # remote syslog's tests send to a real collector (tests/net/test_syslog.py)
    "rsyslog",
    # wall-clock time's test asks a real NTP server (tests/net/test_sntp.py), and
    # one named by a real DHCP server in a network namespace of its own
    "chrony", "dnsmasq-base", "iproute2",
]

STAMP = ".takt-stamp"


def read_text(path):
    """The file's text, or "" if it cannot be read."""
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


class SetupError(Exception):
    """A set-up step failed; the message says what to do."""


def cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(os.path.abspath(base), "takt")


def newlib_prefix(arch, cache=None):
    """Install prefix of newlib for `arch`: headers and libs are in PREFIX/<target>/."""
    return takt_newlib.install_prefix(arch, cache or cache_dir())


def lwip_dir(cache=None):
    return os.path.join(cache or cache_dir(), "lwip")


def mbedtls_dir(cache=None):
    return os.path.join(cache or cache_dir(), "mbedtls")


def promtool_path(cache=None):
    return os.path.join(cache or cache_dir(), "tools", "promtool")


def libfdt_dir(cache=None):
    return os.path.join(cache or cache_dir(), "libfdt")


class Setup:
    def __init__(self, quiet=False, verbose=False, cache=None, out=None):
        self.quiet = quiet          # print only when something is done
        self.verbose = verbose      # also stream long build logs to the terminal
        self.out = out or sys.stdout
        self.cache = cache or cache_dir()
        self.did_update = False
        self.did_work = False

    # -- output -------------------------------------------------------------------

    def say(self, msg):
        """A progress line for work being done: always shown."""
        self.did_work = True
        print("[setup] " + msg, file=self.out, flush=True)

    def note(self, msg):
        """A status line for something already in place: hidden when quiet."""
        if not self.quiet:
            print("[setup] " + msg, file=self.out, flush=True)

    def run(self, cmd, cwd=None, env=None):
        """Run a fetch step (apt-get source or download, dpkg-deb) with its
        output in the apt log, not on the terminal: the say() line before
        it is the progress, the log's tail the story when it fails."""
        self.run_logged(cmd, self.apt_log(), cwd, env, " ".join(cmd[:2]))

    # -- 1. packages --------------------------------------------------------------

    @staticmethod
    def missing_packages(packages=APT_PACKAGES):
        proc = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Status}\n"] + packages,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        installed = set()
        for line in proc.stdout.splitlines():
            name, _, status = line.partition(" ")
            if status.endswith(" installed") and " not-installed" not in status:
                installed.add(name.split(":")[0])
        return [p for p in packages if p not in installed]

    def need_root(self, what):
        if os.geteuid() != 0:
            raise SetupError("%s needs root; run `sudo ./takt setup` or do it yourself" % what)

    def apt_update(self):
        if self.did_update:
            return
        self.say("apt-get update ...")
        self.run_logged(["apt-get", "update"] + APT_WAIT, self.apt_log(), None, None, "apt-get update")
        self.did_update = True

    def apt_log(self):
        logs = os.path.join(self.cache, "logs")
        os.makedirs(logs, exist_ok=True)
        return os.path.join(logs, "apt.log")

    def ensure_packages(self, packages=APT_PACKAGES):
        missing = self.missing_packages(packages)
        if not missing:
            self.note("packages: all %d present" % len(packages))
            return
        if os.geteuid() != 0:
            raise SetupError("missing Debian packages: %s; install them with: sudo apt-get "
                             "install --no-install-recommends %s"
                             % (" ".join(missing), " ".join(missing)))
        self.say("installing %d package(s): %s" % (len(missing), " ".join(missing)))
        self.apt_update()
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        self.say("  (apt's output: %s)" % self.apt_log())
        self.run_logged(["apt-get", "install", "-y", "--no-install-recommends"] + APT_WAIT + missing,
                        self.apt_log(), None, env, "apt-get install")
        still = self.missing_packages(packages)
        if still:
            raise SetupError("still missing after apt-get install: " + " ".join(still))

    def ensure_lazy(self, packages, why):
        """Packages only some commands need (./takt fuzz, ./takt lava), installed on
        their first use, with one line saying why."""
        if self.missing_packages(packages):
            self.say(why)
            self.ensure_packages(packages)

    # -- 2. deb-src ---------------------------------------------------------------

    @staticmethod
    def source_indexes():
        """(configured, present): apt's Sources index files, and those downloaded."""
        proc = subprocess.run(["apt-get", "indextargets", "--format",
                               "$(CREATED_BY) $(FILENAME)"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        files = [line.split(" ", 1)[1] for line in proc.stdout.splitlines()
                 if line.startswith("Sources ")]
        return files, [f for f in files if glob.glob(f + "*")]

    def write_deb_src(self, apt_etc="/etc/apt"):
        d822 = os.path.join(apt_etc, "sources.list.d", "debian.sources")
        one_line = os.path.join(apt_etc, "sources.list")
        if os.path.isfile(d822):
            with open(d822) as f:
                text = f.read()
            text, n = re.subn(r"(?im)^(Types:[ \t]*)deb[ \t]*$", r"\1deb-src", text)
            if n == 0:
                raise SetupError("no `Types: deb` entry in %s to copy as deb-src" % d822)
            dest = os.path.join(apt_etc, "sources.list.d", "takt-deb-src.sources")
        elif os.path.isfile(one_line):
            with open(one_line) as f:
                lines = [re.sub(r"^deb(\s)", r"deb-src\1", ln.strip())
                         for ln in f if re.match(r"^deb\s", ln.strip())]
            if not lines:
                raise SetupError("no `deb` line in %s to copy as deb-src" % one_line)
            text = "\n".join(lines) + "\n"
            dest = os.path.join(apt_etc, "sources.list.d", "takt-deb-src.list")
        else:
            raise SetupError("cannot find the machine's apt sources (%s or %s) to enable "
                             "deb-src; add a deb-src entry yourself" % (d822, one_line))
        self.say("enabling deb-src: writing %s" % dest)
        with open(dest, "w") as f:
            f.write("# Written by takt setup: the machine's own entries, as deb-src.\n" + text)

    def ensure_deb_src(self):
        """Make `apt-get source` work: a deb-src entry and its downloaded index."""
        configured, present = self.source_indexes()
        if present:
            return
        self.need_root("enabling deb-src (for apt-get source)")
        if not configured:
            self.write_deb_src()
        self.did_update = False     # the new entry needs its own update
        self.apt_update()
        if not self.source_indexes()[1]:
            raise SetupError("apt has no source index even after enabling deb-src")

    # -- 3. u-boot tarball and libfdt ------------------------------------------------

    def fetch_source_tarball(self, package):
        """CACHE/dl/<package>_*.orig.tar.*, fetched with apt-get source once."""
        dl = os.path.join(self.cache, "dl")
        found = sorted(glob.glob(os.path.join(dl, package + "_*.orig.tar.*")))
        if found:
            return found[-1]
        self.ensure_deb_src()
        os.makedirs(dl, exist_ok=True)
        self.say("fetching the %s source tarball (apt-get source --tar-only %s) ..."
                 % (package, package))
        tmp = tempfile.mkdtemp(prefix=".fetch-", dir=dl)
        try:
            os.chmod(tmp, 0o755)
            self.run(["apt-get", "source", "--tar-only", package], cwd=tmp)
            got = glob.glob(os.path.join(tmp, package + "_*.orig.tar.*"))
            if not got:
                raise SetupError("apt-get source %s gave no .orig tarball" % package)
            for path in got:
                os.replace(path, os.path.join(dl, os.path.basename(path)))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return sorted(glob.glob(os.path.join(dl, package + "_*.orig.tar.*")))[-1]

    def ensure_libfdt(self):
        dest = libfdt_dir(self.cache)
        if all(os.path.isfile(os.path.join(dest, f)) for f in ("libfdt.h", "fdt.c", STAMP)):
            self.note("libfdt: %s" % dest)
            return
        tarball = self.fetch_source_tarball("u-boot")
        self.say("extracting libfdt from %s ..." % os.path.basename(tarball))
        os.makedirs(self.cache, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=".libfdt-", dir=self.cache)
        try:
            count = 0
            with tarfile.open(tarball) as tar:
                for m in tar:
                    parts = m.name.split("/")
                    if (m.isfile() and len(parts) == 5
                            and parts[1:4] == ["scripts", "dtc", "libfdt"]):
                        src = tar.extractfile(m)
                        with open(os.path.join(tmp, parts[4]), "wb") as out:
                            shutil.copyfileobj(src, out)
                        count += 1
            if not os.path.isfile(os.path.join(tmp, "libfdt.h")):
                raise SetupError("%s has no */scripts/dtc/libfdt/libfdt.h" % tarball)
            with open(os.path.join(tmp, STAMP), "w") as f:
                f.write(os.path.basename(tarball) + "\n")
            os.chmod(tmp, 0o755)
            if os.path.exists(dest):
                shutil.rmtree(dest)
            os.rename(tmp, dest)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        self.say("libfdt: %d files in %s" % (count, dest))

    # -- 4. lwIP and mbedTLS sources (apt-get source into the cache) ---------------

    def ensure_lwip(self):
        self.ensure_deb_source("lwip", "lwIP", lwip_dir(self.cache), ["src"],
                               ["src/include/lwip/opt.h", "src/Filelists.cmake"])

    def ensure_mbedtls(self):   # for takt_app(... TLS)
        self.ensure_deb_source("mbedtls", "mbedTLS", mbedtls_dir(self.cache),
                               ["include", "library"],
                               ["include/mbedtls/ssl.h", "library/ssl_tls.c"])

    def ensure_deb_source(self, pkg, label, dest, keep, markers):
        """`apt-get source PKG` into the cache at dest, keeping the folders keep of
        its tree; markers are files that must be there (the first one is checked in
        the fresh tree before anything replaces dest)."""
        if all(os.path.exists(os.path.join(dest, f)) for f in markers + [STAMP]):
            self.note("%s: %s" % (label, dest))
            return
        self.ensure_deb_src()
        self.say("fetching %s's source (apt-get source %s) ..." % (label, pkg))
        os.makedirs(self.cache, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=".%s-" % pkg, dir=self.cache)
        try:
            os.chmod(tmp, 0o755)
            self.run(["apt-get", "source", pkg], cwd=tmp)
            trees = [d for d in glob.glob(os.path.join(tmp, pkg + "-*")) if os.path.isdir(d)]
            if len(trees) != 1 or not os.path.isfile(os.path.join(trees[0], markers[0])):
                raise SetupError("apt-get source %s gave no %s-*/%s" % (pkg, pkg, markers[0]))
            stage = os.path.join(tmp, "stage")
            for sub in keep:
                shutil.copytree(os.path.join(trees[0], sub), os.path.join(stage, sub))
            with open(os.path.join(stage, STAMP), "w") as f:
                f.write(os.path.basename(trees[0]) + "\n")
            if os.path.exists(dest):
                shutil.rmtree(dest)
            os.rename(stage, dest)
            self.say("%s: %s (%s)" % (label, dest, os.path.basename(trees[0])))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    # -- 5. promtool ----------------------------------------------------------------

    def ensure_promtool(self):
        dest = promtool_path(self.cache)
        if os.access(dest, os.X_OK):
            self.note("promtool: %s" % dest)
            return
        self.say("fetching promtool (apt-get download prometheus, 19 MB) ...")
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=".prom-", dir=os.path.dirname(dest))
        try:
            os.chmod(tmp, 0o755)
            self.run(["apt-get", "download", "prometheus"], cwd=tmp)
            debs = glob.glob(os.path.join(tmp, "prometheus_*.deb"))
            if not debs:
                raise SetupError("apt-get download prometheus gave no .deb")
            self.run(["dpkg-deb", "-x", debs[0], os.path.join(tmp, "x")])
            got = os.path.join(tmp, "x", "usr", "bin", "promtool")
            if not os.path.isfile(got):
                raise SetupError("%s has no usr/bin/promtool" % os.path.basename(debs[0]))
            os.replace(got, dest)
            self.say("promtool: %s" % dest)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    # -- 6. real boards: upstream DTBs and u-boot-rpi (tools/takt_boardfiles.py) ----

    def ensure_board_files(self):
        try:
            takt_boardfiles.ensure(self.cache, self.say, self.note, self.apt_update_again)
        except takt_boardfiles.FetchError as e:
            raise SetupError("board files: %s" % e)

    def apt_update_again(self):
        self.did_update = False
        self.apt_update()

    def run_logged(self, cmd, log, cwd, env, label):
        """Run cmd with its output appended to log; a heartbeat line every 30 s."""
        if self.verbose:
            print("+ " + " ".join(cmd), file=self.out, flush=True)
        start = time.monotonic()
        with open(log, "a") as logf:
            logf.write("\n+ %s\n" % " ".join(cmd))
            logf.flush()
            if self.verbose:
                proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT)
                for chunk in iter(lambda: proc.stdout.readline(), b""):
                    logf.write(chunk.decode(errors="replace"))
                    self.out.write(chunk.decode(errors="replace"))
                rc = proc.wait()
            else:
                proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=logf,
                                        stderr=subprocess.STDOUT)
                while True:
                    try:
                        rc = proc.wait(timeout=30)
                        break
                    except subprocess.TimeoutExpired:
                        print("[setup]   ... %s, %d s" % (label, time.monotonic() - start),
                              file=self.out, flush=True)
        if rc != 0:
            lines = read_text(log).splitlines()
            errors = [ln for ln in lines if "error:" in ln][:5]
            if errors:
                print("first errors:\n" + "\n".join("    " + ln for ln in errors),
                      file=sys.stderr)
            print("last lines of the log:\n" + "\n".join("    " + ln for ln in lines[-30:]),
                  file=sys.stderr)
            raise SetupError("%s failed (exit %d); full log: %s" % (label, rc, log))

    def ensure_newlib(self, arch):
        return takt_newlib.ensure(self, arch)

    # -- all ----------------------------------------------------------------------

    def ensure_all(self, arches=None):
        start = time.monotonic()
        self.ensure_packages()
        self.ensure_libfdt()
        self.ensure_lwip()
        self.ensure_mbedtls()
        self.ensure_promtool()
        self.ensure_board_files()
        for arch in arches or takt_newlib.default_arches():
            self.ensure_newlib(arch)
        if self.did_work or not self.quiet:
            print("[setup] ready (cache: %s, %.1f s)" % (self.cache, time.monotonic() - start),
                  file=self.out, flush=True)
