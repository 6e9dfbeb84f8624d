"""Board files that come from Debian's arm64 packages (used by takt_setup and the benches).

Real boards are described by the upstream Linux DTBs that Debian's arm64 kernel package
ships, and the Raspberry Pi cards boot through Debian's u-boot-rpi. Both are arm64
packages: arm64 is added to dpkg as a foreign architecture for the download only
(nothing of it is installed), `apt-get download` fetches the .deb into
CACHE/debs/arm64/, and only what Takt uses is unpacked:

  CACHE/dtbs/<vendor>/<name>.dtb     the kernel package's broadcom/ and xilinx/ DTBs
  CACHE/u-boot-rpi/<config>/u-boot.bin  rpi_3, rpi_4, rpi_arm64 (u-boot-rpi)

Each result is written into a temporary directory and renamed into place with a stamp
naming the .deb it came from, so an interrupted run leaves no half result.
"""

import glob
import os
import re
import shutil
import subprocess
import tempfile

DTB_VENDORS = ("broadcom", "xilinx")
STAMP = ".takt-stamp"


class FetchError(Exception):
    pass


def _run(cmd, cwd=None):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if p.returncode != 0:
        tail = "\n".join(p.stdout.strip().splitlines()[-5:])
        raise FetchError("%s failed (exit %d):\n%s" % (" ".join(cmd), p.returncode, tail))
    return p.stdout


def ensure_arch(arch, say, apt_update):
    """dpkg knows `arch` (for apt-get download); returns True when it was added."""
    if arch == _run(["dpkg", "--print-architecture"]).strip():
        return False
    if arch in _run(["dpkg", "--print-foreign-architectures"]).split():
        return False
    if os.geteuid() != 0:
        raise FetchError("arm64 packages are needed; run as root (or: sudo dpkg "
                         "--add-architecture %s && sudo apt-get update)" % arch)
    say("dpkg --add-architecture %s (for apt-get download only; nothing %s is installed)"
        % (arch, arch))
    _run(["dpkg", "--add-architecture", arch])
    apt_update()
    return True


def kernel_package(arch, flavour="rt-"):
    """The versioned package behind linux-image-<flavour><arch> (the bench's RT peer
    and the DTBs come from the same download)."""
    out = _run(["apt-cache", "depends", "linux-image-%s%s:%s" % (flavour, arch, arch)])
    m = re.search(r"Depends: (linux-image-\S+?)(?::\S+)?$", out, re.M)
    if not m:
        raise FetchError("cannot resolve linux-image-%s%s: %s" % (flavour, arch, out.strip()))
    return m.group(1)


def debs_dir(cache, arch="arm64"):
    return os.path.join(cache, "debs", arch)


def download(pkgs, arch, dest, say, apt_update):
    """apt-get download what is not in dest yet; returns {pkg: deb path}."""
    os.makedirs(dest, exist_ok=True)

    def have(p):
        found = sorted(glob.glob(os.path.join(dest, "%s_*_%s.deb" % (p, arch))))
        return found[-1] if found else None
    missing = [p for p in pkgs if not have(p)]
    if missing:
        say("apt-get download %s ..." % " ".join("%s:%s" % (p, arch) for p in missing))
        cmd = ["apt-get", "download"] + ["%s:%s" % (p, arch) for p in missing]
        try:
            _run(cmd, cwd=dest)
        except FetchError:
            apt_update()        # stale lists: the archive moved on
            _run(cmd, cwd=dest)
    return {p: have(p) for p in pkgs}


def dtb_dir(cache):
    return os.path.join(cache, "dtbs")


def uboot_rpi_dir(cache):
    return os.path.join(cache, "u-boot-rpi")


def _stamped(dest, deb):
    try:
        with open(os.path.join(dest, STAMP)) as f:
            return f.read().strip() == os.path.basename(deb)
    except OSError:
        return False


def _unpack_members(deb, dest, patterns, place):
    """Unpack the members of deb matching patterns, then place(tmp_root, stage)."""
    parent = os.path.dirname(dest)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".unpack-", dir=parent)
    try:
        tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE)
        x = subprocess.run(["tar", "-x", "-C", tmp, "--wildcards"] + patterns,
                           stdin=tar.stdout, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        tar.stdout.close()
        if tar.wait() != 0 or x.returncode != 0:
            raise FetchError("unpacking %s failed: %s" % (os.path.basename(deb),
                                                         x.stdout.strip()[-300:]))
        stage = os.path.join(tmp, "stage")
        os.makedirs(stage)
        count = place(tmp, stage)
        with open(os.path.join(stage, STAMP), "w") as f:
            f.write(os.path.basename(deb) + "\n")
        os.chmod(stage, 0o755)
        if os.path.exists(dest):
            shutil.rmtree(dest)
        os.rename(stage, dest)
        return count
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def unpack_dtbs(deb, dest):
    """The DTBs of DTB_VENDORS from the kernel package into dest/<vendor>/."""
    def place(root, stage):
        n = 0
        for vendor in DTB_VENDORS:
            found = glob.glob(os.path.join(root, "usr", "lib", "linux-image-*", vendor))
            if not found:
                raise FetchError("%s has no usr/lib/linux-image-*/%s/"
                                 % (os.path.basename(deb), vendor))
            shutil.copytree(found[0], os.path.join(stage, vendor))
            n += len(glob.glob(os.path.join(stage, vendor, "*.dtb")))
        return n
    return _unpack_members(deb, dest, ["./usr/lib/linux-image-*/%s/*" % v
                                       for v in DTB_VENDORS], place)


def unpack_uboot_rpi(deb, dest):
    """usr/lib/u-boot/<config>/u-boot.bin of u-boot-rpi into dest/<config>/."""
    def place(root, stage):
        found = glob.glob(os.path.join(root, "usr", "lib", "u-boot", "*", "u-boot.bin"))
        if not found:
            raise FetchError("%s has no usr/lib/u-boot/*/u-boot.bin" % os.path.basename(deb))
        for path in found:
            cfg = os.path.basename(os.path.dirname(path))
            os.makedirs(os.path.join(stage, cfg))
            shutil.copy(path, os.path.join(stage, cfg, "u-boot.bin"))
        return len(found)
    return _unpack_members(deb, dest, ["./usr/lib/u-boot/*"], place)


def ensure(cache, say, note, apt_update):
    """The upstream DTBs and u-boot-rpi in the cache; returns nothing, raises FetchError."""
    dtbs, uboot = dtb_dir(cache), uboot_rpi_dir(cache)
    if os.path.isfile(os.path.join(dtbs, STAMP)) and os.path.isfile(os.path.join(uboot, STAMP)):
        note("board DTBs: %s; u-boot-rpi: %s" % (dtbs, uboot))
        return
    ensure_arch("arm64", say, apt_update)
    kpkg = kernel_package("arm64")
    debs = download([kpkg, "u-boot-rpi"], "arm64", debs_dir(cache), say, apt_update)
    for pkg, deb in debs.items():
        if not deb:
            raise FetchError("apt-get download %s:arm64 gave no .deb" % pkg)
    if not _stamped(dtbs, debs[kpkg]):
        n = unpack_dtbs(debs[kpkg], dtbs)
        say("board DTBs: %d from %s in %s" % (n, os.path.basename(debs[kpkg]), dtbs))
    if not _stamped(uboot, debs["u-boot-rpi"]):
        n = unpack_uboot_rpi(debs["u-boot-rpi"], uboot)
        say("u-boot-rpi: %d configurations in %s" % (n, uboot))
