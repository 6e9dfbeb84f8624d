"""./takt setup, step 7 (see takt_setup.py): newlib-nano, built once per arch from
Debian's newlib-source into CACHE/newlib-dr/<arch>/<target>/{include,lib}. A stamp
holding a hash of the configure flags marks a finished install; a changed hash
rebuilds. `setup` below is the takt_setup.Setup running the steps (its say, note,
run_logged and cache)."""

import glob
import hashlib
import os
import shutil
import tarfile
import tempfile
import time

import takt_setup as ts     # STAMP, read_text, SetupError: used at call time only

NEWLIB_TARBALLS = "/usr/src/newlib/newlib-*.tar.xz"

# Configure options shared by every arch: the newlib-nano set.
NEWLIB_NANO_OPTIONS = [
    "--disable-newlib-supplied-syscalls",
    "--enable-newlib-reent-small",
    "--disable-newlib-fvwrite-in-streamio",
    "--disable-newlib-fseek-optimization",
    "--disable-newlib-wide-orient",
    "--enable-newlib-nano-malloc",
    "--disable-newlib-unbuf-stream-opt",
    "--enable-lite-exit",
    "--enable-newlib-global-atexit",
    "--enable-newlib-nano-formatted-io",
    "--enable-newlib-retargetable-locking",
    "--disable-nls",
    "--disable-multilib",
    "--disable-libgloss",
]

# __DYNAMIC_REENT__: newlib finds its per-thread state (errno, stdio) through
# __getreent(), which the kernel answers per CPU; a single _impure_ptr cannot
# serve threads running on several CPUs at once. Apps are compiled with the
# same define (cmake/takt.cmake) so that stdout & co. in headers agree.
NEWLIB_COMMON_CFLAGS = ("-O2 -g -ffunction-sections -fdata-sections -fno-pie -fno-pic "
                        "-fno-stack-protector -U__linux__ -U__gnu_linux__ -D__DYNAMIC_REENT__")
# The install lives in CACHE/<this>/<arch>; a new name when the build changes
# incompatibly, so that trees of either kind can share one cache.
NEWLIB_DIR_NAME = "newlib-dr"

# One entry per arch. `tools` is the prefix of the host's binutils/gcc for that arch
# ("" = the host's own), `cc` the compiler, `cflags` what is added to the common flags.
# `default` arches are built by every set-up; the others only when asked for.
NEWLIB_ARCHES = {
    "aarch64": {
        "target": "aarch64-none-elf",
        "tools": "aarch64-linux-gnu-",
        "cc": "aarch64-linux-gnu-gcc",
        "cflags": "-mcpu=cortex-a53",
        "minutes": 3,
        "default": True,
    },
    # The host gcc used freestanding. -mno-red-zone: interrupts push onto the
    # interrupted stack with no stack switch, which would clobber a leaf
    # function's red zone; -fno-pie/-fno-pic come with the common flags.
    "x86_64": {
        "target": "x86_64-none-elf",
        "tools": "",
        "cc": "gcc",
        "cflags": "-mno-red-zone -mcmodel=small",
        "minutes": 3,
        "default": True,
    },
}


def install_prefix(arch, cache):
    return os.path.join(cache, NEWLIB_DIR_NAME, arch)


def default_arches():
    return [k for k, v in NEWLIB_ARCHES.items() if v["default"]]


def tarball_path():
    found = sorted(glob.glob(NEWLIB_TARBALLS))
    if not found:
        raise ts.SetupError("no %s (is newlib-source installed?)" % NEWLIB_TARBALLS)
    return found[-1]


def configure_args(arch, prefix):
    a = NEWLIB_ARCHES[arch]
    t = a["tools"]
    tools = ["%s_FOR_TARGET=%s%s" % (var, t, tool) for var, tool in (
        ("AR", "ar"), ("RANLIB", "ranlib"), ("AS", "as"), ("LD", "ld"), ("NM", "nm"),
        ("OBJDUMP", "objdump"), ("READELF", "readelf"), ("STRIP", "strip"))]
    return (["--target=" + a["target"], "--prefix=" + prefix,
             "CC_FOR_TARGET=" + a["cc"]] + tools
            + ["CFLAGS_FOR_TARGET=%s %s" % (NEWLIB_COMMON_CFLAGS, a["cflags"])]
            + NEWLIB_NANO_OPTIONS)


def stamp_of(arch, prefix, tarball):
    h = hashlib.sha256()
    for part in [os.path.basename(tarball), str(os.path.getsize(tarball))] + \
            configure_args(arch, prefix):
        h.update(part.encode() + b"\0")
    return h.hexdigest()


def extract(setup, tarball):
    """CACHE/src/<top dir of the tarball>, extracted once per tarball."""
    src_root = os.path.join(setup.cache, "src")
    with tarfile.open(tarball) as tar:
        top = tar.next().name.split("/")[0]
    dest = os.path.join(src_root, top)
    marker = os.path.join(dest, ts.STAMP)
    want = "%s %d\n" % (os.path.basename(tarball), os.path.getsize(tarball))
    if ts.read_text(marker) == want:
        return dest
    setup.say("extracting %s ..." % os.path.basename(tarball))
    os.makedirs(src_root, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".extract-", dir=src_root)
    try:
        with tarfile.open(tarball) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(tmp, filter="data")
            else:
                tar.extractall(tmp)
        with open(os.path.join(tmp, top, ts.STAMP), "w") as f:
            f.write(want)
        if os.path.exists(dest):
            shutil.rmtree(dest)
        os.rename(os.path.join(tmp, top), dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def ensure(setup, arch):
    if arch not in NEWLIB_ARCHES:
        raise ts.SetupError("no newlib recipe for arch '%s' (known: %s)"
                            % (arch, ", ".join(sorted(NEWLIB_ARCHES))))
    a = NEWLIB_ARCHES[arch]
    prefix = install_prefix(arch, setup.cache)
    tarball = tarball_path()
    stamp = stamp_of(arch, prefix, tarball)
    stamp_file = os.path.join(prefix, ts.STAMP)
    if ts.read_text(stamp_file).strip() == stamp:
        setup.note("newlib-nano %s: %s" % (arch, prefix))
        return prefix
    for tool in (a["cc"], a["tools"] + "ar"):
        if not shutil.which(tool):
            raise ts.SetupError("%s not found (needed to build newlib for %s)" % (tool, arch))

    setup.say("building newlib-nano for %s (about %d min) ..." % (arch, a["minutes"]))
    start = time.monotonic()
    src = extract(setup, tarball)
    build = os.path.join(setup.cache, "build", "newlib-" + arch)
    logs = os.path.join(setup.cache, "logs")
    log = os.path.join(logs, "newlib-%s.log" % arch)
    staging = os.path.join(setup.cache, NEWLIB_DIR_NAME, ".staging-" + arch)
    for d in (build, staging):
        shutil.rmtree(d, ignore_errors=True)
    os.makedirs(build)
    os.makedirs(logs, exist_ok=True)
    open(log, "w").close()
    env = dict(os.environ, LC_ALL="C")
    for var in ("CFLAGS", "CPPFLAGS", "LDFLAGS", "CC", "MAKEFLAGS"):
        env.pop(var, None)
    jobs = str(os.cpu_count() or 1)

    setup.say("  configure (log: %s)" % log)
    setup.run_logged([os.path.join(src, "configure")] + configure_args(arch, prefix),
                     log, build, env, "newlib %s configure" % arch)
    setup.say("  make -j%s all-target-newlib" % jobs)
    setup.run_logged(["make", "-j" + jobs, "all-target-newlib"],
                     log, build, env, "newlib %s make" % arch)
    setup.say("  make install-target-newlib")
    setup.run_logged(["make", "install-target-newlib", "DESTDIR=" + staging],
                     log, build, env, "newlib %s install" % arch)

    # DESTDIR puts the tree at staging/<prefix>; move it into place in one rename.
    staged = staging + prefix
    for f in ("libc.a", "libm.a"):
        if not os.path.isfile(os.path.join(staged, a["target"], "lib", f)):
            raise ts.SetupError("newlib install has no %s/lib/%s; see %s"
                                % (a["target"], f, log))
    with open(os.path.join(staged, ts.STAMP), "w") as f:
        f.write(stamp + "\n")
    old = prefix + ".old"
    shutil.rmtree(old, ignore_errors=True)
    if os.path.exists(prefix):
        os.rename(prefix, old)
    os.rename(staged, prefix)
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(build, ignore_errors=True)    # the log keeps what it said
    setup.say("newlib-nano %s installed in %s (%d s)"
              % (arch, prefix, time.monotonic() - start))
    return prefix
