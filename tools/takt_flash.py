#!/usr/bin/env python3
"""./takt flash IMAGE DEVICE: write a card image to a block device or a file, then
read it back to verify (standard library only).

Refusals, each before a single byte is written:
  - the device, or one of its partitions, is mounted, used as swap, or held by
    device-mapper/RAID (never overridable: unmount it first)
  - the device holds the running system (the disk under /, /boot, /usr; never
    overridable)
  - the device is not removable (an internal disk), or it is a partition rather than a
    whole disk: only with --force. Removable means: the kernel's `removable` flag, a
    USB-attached disk, or an SD card (mmc type "SD"); an eMMC is not removable.
  - the device is write-protected, or smaller than the image
  - no --yes and nobody at a terminal to answer the question
The system's tables (/proc/self/mounts, /proc/swaps, /sys/block) are read from paths
that tests replace with fakes.

With IMAGE.bmap beside the image (bmaptool's block map, which takt_image.py writes
for every card), only the blocks it maps are written and read back, each range
checked against the bmap's checksum: a 64 MiB card holding 2 MiB of data writes
2 MiB. The image is checked against the bmap before anything is written (a stale
bmap would leave the card half old); a bmap that does not fit is a refusal.
"""

import errno
import hashlib
import os
import stat
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# FlashError (a refusal or a failure: one line for the user) is shared with the
# block-map code.
from takt_bmap import FlashError, check_image_against_bmap, read_bmap, read_span  # noqa: E402

CHUNK = 1 << 20


def human(n):
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return ("%d %s" % (n, unit)) if unit == "bytes" else ("%.1f %s" % (n, unit))
        n /= 1024.0


def read(path, default=""):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return default


class System:
    """What the machine says about its block devices and mounts (paths replaceable)."""

    def __init__(self, sys_block="/sys/block", mounts="/proc/self/mounts",
                 swaps="/proc/swaps", dev_block="/sys/dev/block", stat_roots=("/",)):
        self.sys_block = sys_block
        self.stat_roots = stat_roots        # also found by st_dev (a /dev/root mount)
        self.mounts_file = mounts
        self.swaps_file = swaps
        self.dev_block = dev_block

    # -- names ------------------------------------------------------------------

    def disks(self):
        try:
            return sorted(os.listdir(self.sys_block))
        except OSError:
            return []

    def partitions(self, disk):
        d = os.path.join(self.sys_block, disk)
        try:
            return sorted(p for p in os.listdir(d)
                          if os.path.isfile(os.path.join(d, p, "partition")))
        except OSError:
            return []

    def parent_disk(self, name):
        """The whole disk of `name` (itself if it is a disk), or None if unknown."""
        if os.path.isdir(os.path.join(self.sys_block, name)):
            return name
        for disk in self.disks():
            if name in self.partitions(disk):
                return disk
        return None

    def kernel_name(self, path, st=None):
        """The kernel's name (sda, mmcblk0p1, dm-0) of a device node path."""
        st = st or os.stat(path)
        if stat.S_ISBLK(st.st_mode):
            link = os.path.join(self.dev_block, "%d:%d" % (os.major(st.st_rdev),
                                                           os.minor(st.st_rdev)))
            if os.path.exists(link):
                return os.path.basename(os.path.realpath(link))
        return os.path.basename(os.path.realpath(path))

    def underlying_disks(self, name, depth=0):
        """The whole disks under `name`, through dm/RAID slaves and partitions."""
        disk = self.parent_disk(name)
        if disk is None or depth > 8:
            return set()
        slaves_dir = os.path.join(self.sys_block, disk, "slaves")
        try:
            slaves = os.listdir(slaves_dir)
        except OSError:
            slaves = []
        if slaves:
            out = set()
            for s in slaves:
                out |= self.underlying_disks(s, depth + 1)
            return out
        return {disk}

    # -- tables -----------------------------------------------------------------

    def mounts(self):
        """[(source, mount point)] from the mount table."""
        out = []
        for line in read(self.mounts_file).splitlines():
            parts = line.split()
            if len(parts) >= 2:
                out.append((parts[0].replace("\\040", " "), parts[1].replace("\\040", " ")))
        return out

    def swaps(self):
        return [line.split()[0] for line in read(self.swaps_file).splitlines()[1:]
                if line.split()]

    def source_name(self, source):
        """Kernel name of a mount source like /dev/sda1 or /dev/mapper/root, or None."""
        if not source.startswith("/dev/"):
            return None
        if os.path.exists(source):
            try:
                return self.kernel_name(source)
            except OSError:
                pass
        return os.path.basename(source)

    def system_disks(self):
        """{disk: mount point}: the disks under /, /boot, /boot/efi and /usr."""
        out = {}
        for source, point in self.mounts():
            if point in ("/", "/boot", "/boot/efi", "/usr"):
                name = self.source_name(source)
                for d in (self.underlying_disks(name) if name else ()):
                    out.setdefault(d, point)
        for point in self.stat_roots:
            try:
                dev = os.stat(point).st_dev
            except OSError:
                continue
            link = os.path.join(self.dev_block, "%d:%d" % (os.major(dev), os.minor(dev)))
            if os.path.exists(link):
                for d in self.underlying_disks(os.path.basename(os.path.realpath(link))):
                    out.setdefault(d, point)
        return out

    # -- the device -------------------------------------------------------------

    def describe(self, name):
        disk = self.parent_disk(name)
        if disk is None:
            raise FlashError("%s is a block device the kernel does not list under %s"
                             % (name, self.sys_block))
        is_part = disk != name
        base = os.path.join(self.sys_block, disk, name) if is_part else \
            os.path.join(self.sys_block, disk)
        sectors = read(os.path.join(base, "size"), "0")
        dtype = read(os.path.join(self.sys_block, disk, "device", "type"))
        real = os.path.realpath(os.path.join(self.sys_block, disk))
        model = " ".join(x for x in (read(os.path.join(self.sys_block, disk, "device", "vendor")),
                                     read(os.path.join(self.sys_block, disk, "device", "model")),
                                     read(os.path.join(self.sys_block, disk, "device", "name")))
                         if x)
        return {
            "name": name, "disk": disk, "partition": is_part,
            "size": int(sectors or 0) * 512,
            "ro": read(os.path.join(base, "ro"), "0") == "1",
            "removable": (read(os.path.join(self.sys_block, disk, "removable"), "0") == "1"
                          or "/usb" in real or dtype == "SD"),
            "emmc": dtype == "MMC",
            "model": model,
        }


def users_of(system, info):
    """What uses the disk or any of its partitions: ['/dev/sdb1 mounted on /media/x', ...]."""
    names = {info["name"]} if info["partition"] else \
        {info["disk"]} | set(system.partitions(info["disk"]))
    found = []
    for source, point in system.mounts():
        n = system.source_name(source)
        if n in names:
            found.append("%s is mounted on %s" % (source, point))
        elif n and info["disk"] in system.underlying_disks(n) and \
                system.parent_disk(n) != info["disk"]:
            found.append("%s (on %s) is mounted on %s" % (source, info["disk"], point))
    for s in system.swaps():
        n = system.source_name(s)
        if n in names:
            found.append("%s is in use as swap" % s)
    for n in sorted(names):
        base = os.path.join(system.sys_block, info["disk"]) if n == info["disk"] else \
            os.path.join(system.sys_block, info["disk"], n)
        try:
            holders = os.listdir(os.path.join(base, "holders"))
        except OSError:
            holders = []
        if holders:
            found.append("%s is held by %s (device-mapper/LVM/RAID)" % (n, ", ".join(holders)))
    return found


def check_target(image_size, device, force, system, assume_block=False):
    """Check everything before writing; return (kind, description) or raise FlashError.

    kind is "file" or "block". assume_block: treat a regular file as the block device
    named by its basename (tests with a fake /sys/block)."""
    try:
        st = os.stat(device)
    except FileNotFoundError:
        parent = os.path.dirname(os.path.abspath(device))
        if not os.path.isdir(parent):
            raise FlashError("%s does not exist (nor does its folder %s)" % (device, parent))
        return "file", "new file %s" % device
    except PermissionError:
        raise FlashError("no permission to look at %s" % device)
    if stat.S_ISDIR(st.st_mode):
        raise FlashError("%s is a folder; give a block device (/dev/sdX, /dev/mmcblkN) "
                         "or a file name" % device)
    is_block = stat.S_ISBLK(st.st_mode) or (assume_block and stat.S_ISREG(st.st_mode))
    if not is_block:
        if stat.S_ISREG(st.st_mode):
            return "file", "file %s (%s, overwritten)" % (device, human(st.st_size))
        raise FlashError("%s is neither a block device nor a regular file" % device)

    name = system.kernel_name(device, st) if not assume_block else os.path.basename(device)
    info = system.describe(name)
    where = "%s (%s%s)" % (device, info["name"],
                           (", " + info["model"]) if info["model"] else "")
    sysd = system.system_disks()
    if info["disk"] in sysd:
        raise FlashError("refusing %s: the disk %s holds the running system (%s is on it)"
                         % (device, info["disk"], sysd[info["disk"]]))
    users = users_of(system, info)
    if users:
        raise FlashError("refusing %s: it is in use: %s; unmount it first"
                         % (device, "; ".join(users)))
    if info["partition"] and not force:
        raise FlashError("refusing %s: it is a partition of %s; the card image has its own "
                         "partition table, so give the whole disk /dev/%s (or --force)"
                         % (device, info["disk"], info["disk"]))
    if not info["removable"] and not force:
        what = "an eMMC" if info["emmc"] else "not a removable disk"
        raise FlashError("refusing %s: %s is %s (an internal disk?); pass --force if you "
                         "really mean it" % (device, info["disk"], what))
    if info["ro"]:
        raise FlashError("%s is write-protected (the card's lock switch?)" % device)
    if info["size"] < image_size:
        raise FlashError("%s is too small: %s, the image needs %s"
                         % (device, human(info["size"]), human(image_size)))
    return "block", "%s, %s%s" % (where, human(info["size"]),
                                  ", removable" if info["removable"] else ", NOT removable")


def ask(question, inp, out):
    if not (hasattr(inp, "isatty") and inp.isatty()):
        raise FlashError("not asking without a terminal: pass --yes to write")
    out.write(question + " Type 'yes' to write: ")
    out.flush()
    answer = inp.readline().strip().lower()
    if answer != "yes":
        raise FlashError("not written (answer was %r)" % answer)


class Progress:
    def __init__(self, label, total, out):
        self.label, self.total, self.out = label, max(total, 1), out
        self.tty = hasattr(out, "isatty") and out.isatty()
        self.start = time.monotonic()
        self.last = -1

    def update(self, done):
        pct = done * 100 // self.total
        if self.tty:
            if pct != self.last:
                rate = done / max(time.monotonic() - self.start, 1e-6)
                self.out.write("\r%s %3d%%  %s / %s  %s/s " % (
                    self.label, pct, human(done), human(self.total), human(rate)))
                self.out.flush()
        elif pct // 25 != self.last // 25 or done == self.total:
            self.out.write("%s %3d%%  %s / %s\n" % (self.label, pct, human(done),
                                                     human(self.total)))
            self.out.flush()
        self.last = pct

    def done(self):
        if self.tty:
            self.out.write("\n")
        self.out.flush()


def open_for_write(device, kind):
    flags = os.O_WRONLY
    if kind == "block":
        flags |= os.O_EXCL         # on a block device: fails with EBUSY when in use
    else:
        flags |= os.O_CREAT | os.O_TRUNC
    try:
        return os.open(device, flags, 0o644)
    except PermissionError:
        raise FlashError("no permission to write %s (run as root, e.g. sudo ./takt flash, "
                         "or join the group that owns it)" % device)
    except OSError as e:
        if e.errno == errno.EBUSY:
            raise FlashError("%s is busy (mounted or held by something)" % device)
        if e.errno == errno.EROFS:
            raise FlashError("%s is read-only" % device)
        raise FlashError("cannot open %s: %s" % (device, e.strerror))


def write_image(image, device, kind, size, out):
    fd = open_for_write(device, kind)
    h = hashlib.sha256()
    try:
        prog = Progress("writing", size, out)
        done = 0
        with open(image, "rb") as src:
            while True:
                buf = src.read(CHUNK)
                if not buf:
                    break
                h.update(buf)
                view = memoryview(buf)
                while view:
                    n = os.write(fd, view)
                    view = view[n:]
                done += len(buf)
                prog.update(done)
        prog.done()
        os.fsync(fd)
        if hasattr(os, "posix_fadvise"):       # read back from the medium, not the cache
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    except OSError as e:
        raise FlashError("writing %s failed: %s" % (device, e.strerror or e))
    finally:
        os.close(fd)
    return h.hexdigest()


def open_for_readback(device):
    """The device opened for reading what was just written, its page cache dropped so
    the read comes from the card, not from memory."""
    try:
        fd = os.open(device, os.O_RDONLY)
    except OSError as e:
        raise FlashError("cannot read %s back: %s" % (device, e.strerror))
    if hasattr(os, "posix_fadvise"):
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    return fd


def verify(device, size, want, out):
    h = hashlib.sha256()
    prog = Progress("verifying", size, out)
    fd = open_for_readback(device)
    try:
        done = 0
        while done < size:
            buf = os.read(fd, min(CHUNK, size - done))
            if not buf:
                break
            h.update(buf)
            done += len(buf)
            prog.update(done)
        prog.done()
    finally:
        os.close(fd)
    if done != size or h.hexdigest() != want:
        raise FlashError("verify FAILED: %s does not read back as written (%d of %d bytes "
                         "read); the card may be faulty" % (device, done, size))


# -- block map (bmaptool's format, versions 1.x and 2.x) -----------------------------

def write_mapped(image, device, kind, bmap, out):
    """Write the bmap's ranges; returns [(offset, length, sha256 of what was written)]."""
    fd = open_for_write(device, kind)
    written = []
    try:
        if kind == "file":
            os.ftruncate(fd, bmap.image_size)       # the card's size, holes unwritten
        prog = Progress("writing", bmap.mapped_bytes(), out)
        done = 0
        with open(image, "rb") as src:
            for off, length, _ in bmap.spans():
                src.seek(off)
                os.lseek(fd, off, os.SEEK_SET)
                h = hashlib.sha256()
                left = length
                while left:
                    buf = src.read(min(CHUNK, left))
                    if not buf:
                        raise FlashError("the image ended inside a mapped range")
                    h.update(buf)
                    view = memoryview(buf)
                    while view:
                        view = view[os.write(fd, view):]
                    left -= len(buf)
                    done += len(buf)
                    prog.update(done)
                written.append((off, length, h.hexdigest()))
        prog.done()
        os.fsync(fd)
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    except OSError as e:
        raise FlashError("writing %s failed: %s" % (device, e.strerror or e))
    finally:
        os.close(fd)
    return written


def verify_mapped(device, written, out):
    total = sum(n for _, n, _ in written)
    prog = Progress("verifying", total, out)
    fd = open_for_readback(device)
    try:
        done = 0
        for off, length, want in written:
            h = hashlib.sha256()
            left = length
            for buf in read_span(fd, off, length):
                h.update(buf)
                left -= len(buf)
                done += len(buf)
                prog.update(done)
            if left or h.hexdigest() != want:
                raise FlashError("verify FAILED: %s does not read back as written at bytes "
                                 "%d..%d; the card may be faulty" % (device, off, off + length))
        prog.done()
    finally:
        os.close(fd)


def flash(image, device, yes=False, force=False, system=None, inp=None, out=None,
          assume_block=False):
    """Check, ask, write, verify. Returns 0; raises FlashError on any refusal or failure."""
    system = system or System()
    inp = inp if inp is not None else sys.stdin
    out = out or sys.stdout
    if not os.path.exists(image):
        raise FlashError("no such image: %s (build it with ./takt build; the card image is "
                         "build/BOARD/APP/takt-sdcard.img)" % image)
    if not os.path.isfile(image):
        raise FlashError("%s is not a regular file" % image)
    if not os.access(image, os.R_OK):
        raise FlashError("no permission to read %s" % image)
    size = os.path.getsize(image)
    if size == 0:
        raise FlashError("%s is empty" % image)
    if os.path.exists(device) and os.path.samefile(image, device):
        raise FlashError("the image and the device are the same file")
    bmap = None
    if os.path.isfile(image + ".bmap"):
        bmap = read_bmap(image + ".bmap", size)
        check_image_against_bmap(image, bmap)
    kind, desc = check_target(size, device, force, system, assume_block)
    out.write("flash: %s (%s) -> %s\n" % (image, human(size), desc))
    if bmap:
        out.write("flash: %s maps %s of it: only those blocks are written and verified\n"
                  % (os.path.basename(image) + ".bmap", human(bmap.mapped_bytes())))
    if not yes:
        ask("This overwrites the start of %s." % device, inp, out)
    if bmap:
        written = write_mapped(image, device, kind, bmap, out)
        verify_mapped(device, written, out)
        out.write("flash: wrote and verified %s in %d block ranges (of %s)\n"
                  % (human(bmap.mapped_bytes()), len(written), human(size)))
        return 0
    want = write_image(image, device, kind, size, out)
    verify(device, size, want, out)
    out.write("flash: wrote and verified %s (sha256 %s)\n" % (human(size), want[:16]))
    return 0


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(prog="takt_flash.py")
    ap.add_argument("image")
    ap.add_argument("device")
    ap.add_argument("--yes", action="store_true")
    ap.add_argument("--force", action="store_true")
    a = ap.parse_args(argv)
    try:
        return flash(a.image, a.device, a.yes, a.force)
    except FlashError as e:
        print("takt flash: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
