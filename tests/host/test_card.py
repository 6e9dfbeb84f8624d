"""The card images tools/takt_image.py makes, per kind of board (cmake/fit.cmake).

Built from stand-in files (a few bytes of "kernel", "DTB", "u-boot.bin") with the
repository's own boot script templates and config.txt files, then read back without
mounting: the MBR with Python, the FAT with mtools. Checks what each board's boot
chain needs on the card, the one warning about missing firmware, the boot scripts'
choice of DT, and the block map.
"""

import contextlib
import hashlib
import io
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.dont_write_bytecode = True
import takt_image  # noqa: E402

TOOLS = ("mkimage", "mkfs.vfat", "mcopy", "mdir", "sfdisk", "dtc")
MISSING = [t for t in TOOLS if not shutil.which(t)]
ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1")


def mbr(path):
    """[(bootable, type, start sector, sectors)] of the card's primary partitions."""
    with open(path, "rb") as f:
        sector = f.read(512)
    assert sector[510:512] == b"\x55\xaa", "no MBR signature"
    out = []
    for i in range(4):
        e = sector[446 + 16 * i: 446 + 16 * (i + 1)]
        boot, ptype = e[0], e[4]
        start, count = struct.unpack("<II", e[8:16])
        if ptype:
            out.append((boot == 0x80, ptype, start, count))
    return out


@unittest.skipIf(MISSING, "needs %s (./takt setup installs them)" % ", ".join(MISSING))
class CardBase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="takt-card-test-")
        self.kernel = self.blob("takt.bin", b"ARMd" * 4000)
        self.dtb = os.path.join(self.dir, "board.dtb")
        subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", self.dtb, "-"],
                       input=b"/dts-v1/; / { model = \"test\"; };", check=True)
        self.uboot = self.blob("u-boot.bin", b"UBOOT" * 3000)
        self.out = os.path.join(self.dir, "out")
        os.makedirs(self.out)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def text(self, name):
        with open(os.path.join(self.out, name)) as f:
            return f.read()

    @staticmethod
    def data(path):
        with open(path, "rb") as f:
            return f.read()

    def blob(self, name, data, folder=None):
        path = os.path.join(folder or self.dir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def build(self, card, board=None, extra=()):
        """takt_image.py build for a card kind; returns (status, stderr)."""
        boot_cmd = {"fit": "bsp/qemu-virt-arm64/boot.cmd.in", "rpi3": "tools/boot-rpi.cmd.in",
                    "rpi4": "tools/boot-rpi.cmd.in", "zynqmp": "tools/boot.cmd.in"}[card]
        args = ["build", "--kernel", self.kernel, "--dtb", self.dtb, "--load", "0x200000",
                "--fit-addr", "0x4000000", "--boot-cmd", os.path.join(ROOT, boot_cmd),
                "--outdir", self.out, "--card", card, "--desc=Takt test"]
        if board:
            args += ["--uboot", self.uboot,
                     "--config-txt", os.path.join(ROOT, "bsp", board, "config.txt")]
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            status = takt_image.main(args + list(extra))
        return status, err.getvalue()

    @property
    def card(self):
        return os.path.join(self.out, "takt-sdcard.img")

    def fat(self):
        return "%s@@%d" % (self.card, mbr(self.card)[0][2] * 512)

    def files(self):
        """{name: size} in the FAT's root folder."""
        p = subprocess.run(["mdir", "-i", self.fat(), "-b", "::/"], env=ENV,
                           capture_output=True, text=True, check=True)
        out = {}
        for line in p.stdout.split():
            name = line.rsplit("/", 1)[-1]
            out[name] = len(self.read(name))
        return out

    def read(self, name):
        return subprocess.run(["mcopy", "-i", self.fat(), "::/" + name, "-"], env=ENV,
                              capture_output=True, check=True).stdout

    def fat_type(self):
        """'FAT32   ' or 'FAT12   ' / 'FAT16   ' from the partition's boot sector."""
        with open(self.card, "rb") as f:
            f.seek(mbr(self.card)[0][2] * 512)
            bs = f.read(512)
        return (bs[82:90] if bs[82:87] == b"FAT32" else bs[54:62]).decode()

    def firmware(self, names):
        d = os.path.join(self.dir, "fw")
        os.makedirs(d, exist_ok=True)
        for n in names:
            self.blob(n, n.encode() * 100, d)
        return d

    def assertBmapMatches(self):
        """The .bmap beside the card lists every non-zero block, each range's sha256 right."""
        bmap = self.card + ".bmap"
        sys.path.insert(0, os.path.join(ROOT, "tools"))
        import takt_flash
        size = os.path.getsize(self.card)
        bm = takt_flash.read_bmap(bmap, size)
        takt_flash.check_image_against_bmap(self.card, bm)
        mapped = set()
        for first, last, _ in bm.ranges:
            mapped.update(range(first, last + 1))
        with open(self.card, "rb") as f:
            for blk in range(size // bm.block_size):
                data = f.read(bm.block_size)
                if data.strip(b"\0"):
                    self.assertIn(blk, mapped, "block %d holds data but is not mapped" % blk)


class FitCard(CardBase):
    def test_qemu_card_holds_script_and_fit_without_the_dtb(self):
        status, err = self.build("fit")
        self.assertEqual(status, 0, err)
        self.assertEqual(err, "")
        self.assertEqual(sorted(self.files()), ["boot.scr", "takt.itb"])
        (boot, ptype, start, _), = mbr(self.card)
        self.assertTrue(boot)
        self.assertEqual((ptype, start), (0x0c, 2048))
        its = self.text("takt.its")
        self.assertNotIn("flat_dt", its)
        cmd = self.text("boot.cmd")
        self.assertIn("bootm 0x4000000#conf - ${fdtcontroladdr}\n", cmd)
        self.assertEqual(self.read("boot.scr"), self.data(os.path.join(self.out, "boot.scr")))
        self.assertBmapMatches()

    def test_fit_dtb_puts_the_dtb_into_the_fit_and_boots_with_it(self):
        status, err = self.build("fit", extra=["--fit-dtb"])
        self.assertEqual(status, 0, err)
        its = self.text("takt.its")
        self.assertIn('type = "flat_dt"', its)
        self.assertIn('fdt = "fdt";', its)
        cmd = self.text("boot.cmd")
        self.assertIn("bootm 0x4000000#conf\n", cmd)
        self.assertNotIn("fdtcontroladdr}\n", cmd.split("bootm")[1])


class RpiCard(CardBase):
    def test_pi3_card_without_firmware_warns_once_naming_the_files(self):
        status, err = self.build("rpi3", "rpi-3b")
        self.assertEqual(status, 0, err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        for name in ("bootcode.bin", "start.elf", "fixup.dat",
                     "raspberrypi/firmware repository's boot/ folder", "--firmware DIR"):
            self.assertIn(name, err)
        self.assertEqual(sorted(self.files()), sorted(
            ["boot.scr", "config.txt", "u-boot.bin", "takt.bin", "bcm2837-rpi-3-b.dtb"]))
        self.assertEqual(self.read("u-boot.bin"), self.data(self.uboot))
        self.assertEqual(self.read("takt.bin"), self.data(self.kernel))
        self.assertEqual(self.read("bcm2837-rpi-3-b.dtb"), self.data(self.dtb))
        self.assertFalse(os.path.exists(os.path.join(self.out, "takt.itb")))

    def test_pi_config_txt_boots_64_bit_u_boot_with_the_uart(self):
        self.build("rpi3", "rpi-3b")
        lines = [line.strip() for line in self.read("config.txt").decode().splitlines()
                 if line.strip() and not line.startswith("#")]
        for want in ("arm_64bit=1", "enable_uart=1", "kernel=u-boot.bin",
                     "device_tree=bcm2837-rpi-3-b.dtb"):
            self.assertIn(want, lines)

    def test_pi_card_is_fat32_and_a_power_of_two(self):
        self.build("rpi3", "rpi-3b")
        size = os.path.getsize(self.card)
        self.assertGreaterEqual(size, 64 << 20)
        self.assertEqual(size & (size - 1), 0, "QEMU's SD card needs a power of two")
        self.assertEqual(self.fat_type(), "FAT32   ")
        (boot, ptype, start, count), = mbr(self.card)
        self.assertEqual((boot, ptype, start), (True, 0x0c, 2048))
        self.assertEqual((start + count) * 512, size)
        self.assertBmapMatches()

    def test_pi_boot_script_boots_the_plain_image_with_the_firmware_dt(self):
        self.build("rpi3", "rpi-3b")
        cmd = self.text("boot.cmd")
        self.assertIn("setenv takt_fdt ${fdt_addr}", cmd)
        self.assertIn("setenv takt_fdt ${fdtcontroladdr}", cmd)
        self.assertIn("booti ${kernel_addr_r} - ${takt_fdt}", cmd)
        self.assertIn("${prefix}takt.bin", cmd)
        self.assertNotIn("bootm", cmd)

    def test_firmware_is_copied_and_silences_the_warning(self):
        fw = self.firmware(["bootcode.bin", "start.elf", "fixup.dat", "start_x.elf",
                            "fixup_x.dat", "start4.elf", "kernel8.img", "LICENCE.broadcom"])
        status, err = self.build("rpi3", "rpi-3b", ["--firmware-dir", fw])
        self.assertEqual((status, err), (0, ""))
        files = self.files()
        for n in ("bootcode.bin", "start.elf", "fixup.dat", "start_x.elf", "fixup_x.dat"):
            self.assertIn(n, files)
            self.assertEqual(self.read(n), (n.encode() * 100))
        for n in ("start4.elf", "kernel8.img", "LICENCE.broadcom"):   # not the Pi 3's
            self.assertNotIn(n, files)

    def test_partial_firmware_warns_about_the_rest_only(self):
        fw = self.firmware(["start.elf"])
        status, err = self.build("rpi3", "rpi-3b", ["--firmware-dir", fw])
        self.assertEqual(status, 0)
        self.assertIn("no bootcode.bin, fixup.dat,", err)
        self.assertNotIn("start.elf", err)

    def test_pi4_card_needs_start4_and_names_its_dtb(self):
        for board, dtb in (("rpi-4b", "bcm2711-rpi-4-b.dtb"),
                           ("rpi-cm4", "bcm2711-rpi-cm4-io.dtb")):
            status, err = self.build("rpi4", board)
            self.assertEqual(status, 0, err)
            self.assertIn("no start4.elf, fixup4.dat,", err)
            self.assertNotIn("bootcode.bin", err)
            self.assertIn(dtb, self.files())

    def test_missing_firmware_folder_is_an_error(self):
        status, err = self.build("rpi3", "rpi-3b", ["--firmware-dir", "/nonexistent/fw"])
        self.assertEqual(status, 1)
        self.assertIn("/nonexistent/fw: no such folder", err)

    def test_missing_u_boot_is_an_error_naming_setup(self):
        os.remove(self.uboot)
        status, err = self.build("rpi3", "rpi-3b")
        self.assertEqual(status, 1)
        self.assertIn("./takt setup", err)

    def test_pi_card_cannot_be_signed(self):
        status, err = self.build("rpi3", "rpi-3b", ["--sign-dir", self.dir])
        self.assertEqual(status, 1)
        self.assertIn("cannot be signed", err)


class ZynqmpCard(CardBase):
    def test_zcu102_card_holds_fit_and_script_and_asks_for_boot_bin(self):
        status, err = self.build("zynqmp")
        self.assertEqual(status, 0, err)
        self.assertEqual(len(err.strip().splitlines()), 1)
        self.assertIn("no BOOT.BIN", err)
        self.assertIn("bsp/zcu102/README.md", err)
        self.assertEqual(sorted(self.files()), ["boot.scr", "takt.itb"])
        self.assertEqual(self.fat_type(), "FAT32   ")
        cmd = self.text("boot.cmd")
        self.assertIn("bootm 0x4000000#conf - ${fdtcontroladdr}", cmd)

    def test_boot_bin_is_copied(self):
        fw = self.firmware(["BOOT.BIN", "other.txt"])
        status, err = self.build("zynqmp", extra=["--firmware-dir", fw])
        self.assertEqual((status, err), (0, ""))
        self.assertEqual(sorted(self.files()), ["BOOT.BIN", "boot.scr", "takt.itb"])


@unittest.skipIf(MISSING, "needs %s" % ", ".join(MISSING))
class BmapFile(unittest.TestCase):
    def test_bmap_file_checksum_is_of_itself_with_zeros(self):
        d = tempfile.mkdtemp(prefix="takt-bmap-test-")
        try:
            img = os.path.join(d, "x.img")
            with open(img, "wb") as f:
                f.write(b"a" * 5000)
            takt_image.write_bmap(img, img + ".bmap")
            with open(img + ".bmap") as f:
                text = f.read()
            want = text.split("<BmapFileChecksum>")[1].split("<")[0].strip()
            zeroed = text.replace(want, "0" * 64)
            self.assertEqual(hashlib.sha256(zeroed.encode()).hexdigest(), want)
            self.assertIn("<Range chksum=\"%s\"> 0-1 </Range>"
                          % hashlib.sha256(b"a" * 5000).hexdigest(), text)
        finally:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
