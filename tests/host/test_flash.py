"""./takt flash: writing to a file, and every refusal against fake system tables.

No real disk is ever opened: the "devices" are regular files in a temporary folder,
described by a fake /sys/block tree, a fake mount table and a fake swap list, and
flash() is told to treat them as block devices (assume_block). Each refusal must
raise FlashError and leave the fake device's bytes exactly as they were.
"""

import io
import os
import shutil
import sys
import tempfile
import unittest
from unittest import mock

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
sys.dont_write_bytecode = True
import takt_flash  # noqa: E402
from takt_flash import FlashError, System, flash  # noqa: E402

IMAGE_SIZE = 300 * 1024 + 123          # not a multiple of the chunk or a sector
FILL = b"\xa5" * 4096


class FakeTty(io.StringIO):
    def isatty(self):
        return True


class FakeSystem:
    """A temporary folder with sys/block, mounts, swaps, dev/ and an image."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="takt-flash-test-")
        self.sys_block = os.path.join(self.root, "sys", "block")
        self.dev = os.path.join(self.root, "dev")
        os.makedirs(self.sys_block)
        os.makedirs(self.dev)
        self.mounts = os.path.join(self.root, "mounts")
        self.swaps = os.path.join(self.root, "swaps")
        self.set_mounts(["overlay / overlay rw 0 0", "proc /proc proc rw 0 0"])
        self.set_swaps([])
        self.image = os.path.join(self.root, "takt-sdcard.img")
        with open(self.image, "wb") as f:
            f.write(bytes((i * 7 + 3) & 0xff for i in range(IMAGE_SIZE)))

    def close(self):
        shutil.rmtree(self.root, ignore_errors=True)

    def set_mounts(self, lines):
        with open(self.mounts, "w") as f:
            f.write("".join(line + "\n" for line in lines))

    def set_swaps(self, devices):
        with open(self.swaps, "w") as f:
            f.write("Filename\tType\tSize\tUsed\tPriority\n")
            for d in devices:
                f.write("%s\tpartition\t1048572\t0\t-2\n" % d)

    def disk(self, name, size=64 << 20, removable=True, parts=(), mmc_type=None, ro=False,
             holders=(), slaves=(), usb=False):
        """A fake disk: sys/block/NAME (+ partitions) and a device file dev/NAME."""
        d = os.path.join(self.sys_block, name)
        if usb:             # the real /sys/block entries are links into the device tree
            real = os.path.join(self.root, "sys", "devices", "pci0", "usb1", "1-1", name)
            os.makedirs(real)
            os.symlink(real, d)
        else:
            os.makedirs(d)
        self._write(d, "size", str(size // 512))
        self._write(d, "removable", "1" if removable else "0")
        self._write(d, "ro", "1" if ro else "0")
        os.makedirs(os.path.join(d, "device"))
        if mmc_type:
            self._write(os.path.join(d, "device"), "type", mmc_type)
        os.makedirs(os.path.join(d, "holders"))
        for h in holders:
            os.makedirs(os.path.join(d, "holders", h))
        os.makedirs(os.path.join(d, "slaves"))
        for s in slaves:
            os.makedirs(os.path.join(d, "slaves", s))
        for i, p in enumerate(parts):
            pd = os.path.join(d, p)
            os.makedirs(os.path.join(pd, "holders"))
            self._write(pd, "partition", str(i + 1))
            self._write(pd, "size", str(size // 512 // 2))
        path = os.path.join(self.dev, name)
        with open(path, "wb") as f:
            f.write(FILL * (min(size, 1 << 20) // len(FILL)))
        for p in parts:
            with open(os.path.join(self.dev, p), "wb") as f:
                f.write(FILL * 64)
        return path

    @staticmethod
    def _write(d, name, text):
        with open(os.path.join(d, name), "w") as f:
            f.write(text + "\n")

    def system(self):
        return System(sys_block=self.sys_block, mounts=self.mounts, swaps=self.swaps,
                      dev_block=os.path.join(self.root, "sys", "dev", "block"), stat_roots=())


class Base(unittest.TestCase):
    def setUp(self):
        self.fs = FakeSystem()
        self.out = io.StringIO()

    def tearDown(self):
        self.fs.close()

    def flash(self, device, **kw):
        kw.setdefault("yes", True)
        kw.setdefault("assume_block", True)
        return flash(self.fs.image, device, system=self.fs.system(), out=self.out,
                     inp=kw.pop("inp", io.StringIO("")), **kw)

    def assertRefused(self, device, message, **kw):
        """flash raises FlashError matching message and leaves every fake device as it was."""
        before = self.snapshot()
        real_open = os.open
        writes = []

        def spy_open(path, flags, *a):
            if flags & (os.O_WRONLY | os.O_RDWR):
                writes.append(path)
            return real_open(path, flags, *a)
        with mock.patch.object(takt_flash.os, "open", spy_open):
            with self.assertRaisesRegex(FlashError, message):
                self.flash(device, **kw)
        self.assertEqual(writes, [], "opened for writing despite the refusal")
        self.assertEqual(self.snapshot(), before, "a fake device changed")

    def snapshot(self):
        out = {}
        for n in sorted(os.listdir(self.fs.dev)):
            with open(os.path.join(self.fs.dev, n), "rb") as f:
                out[n] = f.read()
        return out

    def assertWritten(self, device):
        with open(self.fs.image, "rb") as f:
            want = f.read()
        with open(device, "rb") as f:
            got = f.read(len(want))
        self.assertEqual(got, want)
        self.assertIn("wrote and verified", self.out.getvalue())


class WriteTests(Base):
    def test_writes_a_new_regular_file_and_verifies(self):
        target = os.path.join(self.fs.root, "out", "card.img")
        os.makedirs(os.path.dirname(target))
        self.flash(target, assume_block=False)
        self.assertWritten(target)
        self.assertEqual(os.path.getsize(target), IMAGE_SIZE)
        self.assertIn("verifying 100%", self.out.getvalue())

    def test_overwrites_an_existing_regular_file(self):
        target = os.path.join(self.fs.root, "old.img")
        with open(target, "wb") as f:
            f.write(b"x" * (2 * IMAGE_SIZE))
        self.flash(target, assume_block=False)
        self.assertWritten(target)
        self.assertEqual(os.path.getsize(target), IMAGE_SIZE)

    def test_writes_a_removable_unmounted_card(self):
        dev = self.fs.disk("sdz", parts=("sdz1",))
        self.flash(dev)
        self.assertWritten(dev)

    def test_usb_disk_counts_as_removable(self):
        dev = self.fs.disk("sdy", removable=False, usb=True)
        self.flash(dev)
        self.assertWritten(dev)

    def test_sd_card_in_an_mmc_slot_counts_as_removable(self):
        dev = self.fs.disk("mmcblk1", removable=False, mmc_type="SD",
                           parts=("mmcblk1p1",))
        self.flash(dev)
        self.assertWritten(dev)

    def test_non_removable_with_force_is_written(self):
        dev = self.fs.disk("sdx", removable=False)
        self.flash(dev, force=True)
        self.assertWritten(dev)

    def test_asks_and_writes_on_yes(self):
        dev = self.fs.disk("sdz")
        self.flash(dev, yes=False, inp=FakeTty("yes\n"))
        self.assertWritten(dev)
        self.assertIn("Type 'yes'", self.out.getvalue())

    def test_verify_catches_a_bad_read_back(self):
        target = os.path.join(self.fs.root, "card.img")
        real_read = os.read

        def bad_read(fd, n):
            buf = bytearray(real_read(fd, n))
            if buf:
                buf[0] ^= 1
            return bytes(buf)
        with mock.patch.object(takt_flash.os, "read", bad_read):
            with self.assertRaisesRegex(FlashError, "verify FAILED"):
                self.flash(target, assume_block=False)


class RefusalTests(Base):
    def test_missing_image(self):
        dev = self.fs.disk("sdz")
        os.remove(self.fs.image)
        self.assertRefused(dev, "no such image")

    def test_mounted_partition(self):
        dev = self.fs.disk("sdz", parts=("sdz1", "sdz2"))
        self.fs.set_mounts(["overlay / overlay rw 0 0",
                            "/dev/sdz2 /media/card vfat rw 0 0"])
        self.assertRefused(dev, r"in use: /dev/sdz2 is mounted on /media/card")

    def test_mounted_whole_disk(self):
        dev = self.fs.disk("sdz")
        self.fs.set_mounts(["/dev/sdz /mnt vfat rw 0 0"])
        self.assertRefused(dev, "is mounted on /mnt")

    def test_mounted_even_with_force(self):
        dev = self.fs.disk("sdz", parts=("sdz1",))
        self.fs.set_mounts(["/dev/sdz1 /mnt vfat rw 0 0"])
        self.assertRefused(dev, "unmount it first", force=True)

    def test_swap_partition(self):
        dev = self.fs.disk("sdz", parts=("sdz1",))
        self.fs.set_swaps(["/dev/sdz1"])
        self.assertRefused(dev, "in use as swap")

    def test_held_by_device_mapper(self):
        dev = self.fs.disk("sdz", holders=("dm-3",))
        self.assertRefused(dev, "held by dm-3")

    def test_disk_of_the_running_system(self):
        dev = self.fs.disk("nvme0n1", removable=False, parts=("nvme0n1p1", "nvme0n1p2"))
        self.fs.set_mounts(["/dev/nvme0n1p2 / ext4 rw 0 0"])
        self.assertRefused(dev, "holds the running system", force=True)

    def test_running_system_under_lvm(self):
        dev = self.fs.disk("sdw", removable=True, parts=("sdw1",))
        self.fs.disk("dm-0", slaves=("sdw1",))
        self.fs.set_mounts(["/dev/dm-0 / ext4 rw 0 0"])
        self.assertRefused(dev, r"holds the running system \(/ is on it\)", force=True)

    def test_running_system_boot_partition(self):
        dev = self.fs.disk("mmcblk0", removable=False, mmc_type="SD", parts=("mmcblk0p1",))
        self.fs.set_mounts(["/dev/mmcblk0p1 /boot vfat rw 0 0"])
        self.assertRefused(dev, r"running system \(/boot", force=True)

    def test_non_removable_disk(self):
        dev = self.fs.disk("sda", removable=False)
        self.assertRefused(dev, "not a removable disk.*--force")

    def test_emmc(self):
        dev = self.fs.disk("mmcblk2", removable=False, mmc_type="MMC")
        self.assertRefused(dev, "is an eMMC")

    def test_partition_instead_of_disk(self):
        self.fs.disk("sdz", parts=("sdz1",))
        self.assertRefused(os.path.join(self.fs.dev, "sdz1"), "partition of sdz")

    def test_too_small(self):
        dev = self.fs.disk("sdz", size=256 * 1024)
        self.assertRefused(dev, r"too small: 256\.0 KiB, the image needs 300\.1 KiB")

    def test_write_protected(self):
        dev = self.fs.disk("sdz", ro=True)
        self.assertRefused(dev, "write-protected")

    def test_unknown_to_the_kernel(self):
        dev = os.path.join(self.fs.dev, "sdq")
        with open(dev, "wb") as f:
            f.write(FILL)
        self.assertRefused(dev, "does not list")

    def test_no_terminal_and_no_yes(self):
        dev = self.fs.disk("sdz")
        self.assertRefused(dev, "pass --yes", yes=False, inp=io.StringIO("yes\n"))

    def test_answer_other_than_yes(self):
        dev = self.fs.disk("sdz")
        self.assertRefused(dev, "not written", yes=False, inp=FakeTty("y\n"))

    def test_folder_as_device(self):
        self.assertRefused(self.fs.dev, "is a folder", assume_block=False)

    def test_missing_folder_of_target_file(self):
        self.assertRefused(os.path.join(self.fs.root, "nope", "card.img"), "does not exist",
                           assume_block=False)

    def test_no_permission(self):
        dev = self.fs.disk("sdz")

        def denied(path, flags, *a):
            if flags & os.O_WRONLY:
                raise PermissionError(13, "Permission denied", path)
            return os.open(path, flags, *a)
        with mock.patch.object(takt_flash.os, "open", denied):
            with self.assertRaisesRegex(FlashError, "no permission to write .*sudo"):
                self.flash(dev)
        self.assertEqual(self.snapshot()["sdz"], FILL * 256)


class BmapTests(Base):
    """IMAGE.bmap beside the image: only the mapped blocks are written and read back.
    The fake device starts full of 0xa5: what was not written keeps it."""
    RANGES = [(0, 1), (10, 12), (74, 75)]     # 4 KiB blocks; the last one is partial

    def setUp(self):
        super().setUp()
        import takt_image
        self.takt_image = takt_image
        self.bmap = self.fs.image + ".bmap"
        takt_image.write_bmap(self.fs.image, self.bmap, ranges=self.RANGES)

    def mapped(self, size=IMAGE_SIZE):
        out = set()
        for a, b in self.RANGES:
            out.update(range(a * 4096, min((b + 1) * 4096, size)))
        return out

    def assertOnlyMappedWritten(self, device, fill=0xa5):
        with open(self.fs.image, "rb") as f:
            want = f.read()
        with open(device, "rb") as f:
            got = f.read(len(want))
        mapped = self.mapped()
        for i in (0, 8191, 10 * 4096, 13 * 4096 - 1, 74 * 4096, IMAGE_SIZE - 1):
            self.assertIn(i, mapped)
            self.assertEqual(got[i], want[i], "mapped byte %d" % i)
        for i in (8192, 9 * 4096, 13 * 4096, 73 * 4096 + 5):
            self.assertNotIn(i, mapped)
            self.assertEqual(got[i], fill, "unmapped byte %d was written" % i)
        self.assertEqual(bytes(got[i] for i in sorted(mapped)),
                         bytes(want[i] for i in sorted(mapped)))

    def test_writes_and_verifies_only_the_mapped_blocks(self):
        dev = self.fs.disk("sdz")
        self.flash(dev)
        self.assertOnlyMappedWritten(dev)
        text = self.out.getvalue()
        self.assertIn("only those blocks are written and verified", text)
        self.assertIn("wrote and verified", text)
        self.assertIn("in 3 block ranges", text)

    def test_a_file_target_gets_the_image_size_with_holes(self):
        target = os.path.join(self.fs.root, "copy.img")
        self.flash(target, assume_block=False)
        self.assertEqual(os.path.getsize(target), IMAGE_SIZE)
        with open(target, "rb") as f:
            got = f.read()
        self.assertEqual(got[9 * 4096], 0)           # unwritten: a hole reads as zero
        self.assertOnlyMappedWritten(target, fill=0)

    def test_stale_bmap_refused_before_writing(self):
        dev = self.fs.disk("sdz")
        with open(self.fs.image, "r+b") as f:        # the image changed after the bmap
            f.seek(11 * 4096)
            f.write(b"new")
        self.assertRefused(dev, "does not match its .bmap at bytes 40960..53248")

    def test_bmap_of_another_size_refused(self):
        dev = self.fs.disk("sdz")
        with open(self.fs.image, "ab") as f:
            f.write(b"x")
        self.assertRefused(dev, "says the image has %d bytes, the image has %d"
                           % (IMAGE_SIZE, IMAGE_SIZE + 1))

    def test_damaged_bmap_refused(self):
        dev = self.fs.disk("sdz")
        with open(self.bmap) as f:
            text = f.read().replace("> 10-12 <", "> 10-13 <")
        with open(self.bmap, "w") as f:
            f.write(text)
        self.assertRefused(dev, "is damaged: its own checksum does not match")

    def test_garbage_bmap_refused(self):
        dev = self.fs.disk("sdz")
        with open(self.bmap, "w") as f:
            f.write("<bmap version='2.0'><ImageSize>")
        self.assertRefused(dev, "cannot read the block map")

    def test_range_outside_the_image_refused(self):
        dev = self.fs.disk("sdz")
        self.takt_image.write_bmap(self.fs.image, self.bmap, ranges=[(0, 0), (500, 501)])
        # write_bmap checksums what it can read; the range itself is out of bounds
        self.assertRefused(dev, "outside the image's 76 blocks")

    def test_verify_catches_a_bad_read_back_of_a_mapped_block(self):
        dev = self.fs.disk("sdz")
        real_read = os.read
        reads = []

        def bad_read(fd, n):
            buf = bytearray(real_read(fd, n))
            reads.append(n)
            if buf and len(reads) > 3:          # the read-back, not the pre-check
                buf[0] ^= 1
            return bytes(buf)
        with mock.patch.object(takt_flash.os, "read", bad_read):
            with self.assertRaisesRegex(FlashError, "verify FAILED: .* at bytes"):
                self.flash(dev)

    @unittest.skipUnless(shutil.which("bmaptool"), "bmaptool not installed")
    def test_bmaptool_reads_our_bmap_and_we_read_its(self):
        import subprocess
        target = os.path.join(self.fs.root, "bt.img")
        subprocess.run(["bmaptool", "copy", "--bmap", self.bmap, self.fs.image, target],
                       check=True, capture_output=True)
        with open(target, "rb") as f:
            got = f.read()
        with open(self.fs.image, "rb") as f:
            want = f.read()
        for i in sorted(self.mapped()):
            if got[i] != want[i]:
                self.fail("bmaptool copy differs at mapped byte %d" % i)
        subprocess.run(["bmaptool", "create", "-o", self.bmap, self.fs.image], check=True,
                       capture_output=True)
        dev = self.fs.disk("sdz")
        self.flash(dev)
        self.assertWritten(dev)


class CommandLineTests(unittest.TestCase):
    def test_missing_image_exits_1_with_one_line(self):
        err = io.StringIO()
        with mock.patch.object(sys, "stderr", err):
            rc = takt_flash.main(["/nonexistent/takt-sdcard.img", "/nonexistent/out.img",
                                  "--yes"])
        self.assertEqual(rc, 1)
        self.assertRegex(err.getvalue(), r"^takt flash: no such image: /nonexistent/\S+")
        self.assertEqual(err.getvalue().count("\n"), 1)


if __name__ == "__main__":
    unittest.main()
