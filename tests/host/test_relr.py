"""tools/takt_relr.py packs an arm64 PIE's R_AARCH64_RELATIVE entries as RELR
words that relocate exactly the same pointers (as readelf decodes them, and as
the decoder start.S mirrors reads them), moves each addend into place, ends
the list with the empty bitmap start.S stops at, and refuses what it cannot
pack rather than pack it wrong."""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tools"))
import takt_relr  # noqa: E402

CC = "aarch64-linux-gnu-gcc"
READELF = "aarch64-linux-gnu-readelf"

# Pointers in runs (a bitmap), far apart (new address words), a table longer
# than a bitmap's 63 words, and one with gaps across bitmaps.
SOURCE = r"""
int a, b, c;
int *near[3] = { &a, &b, &c };
char pad[4096] = { 1 };
int *far1 = &a;
int *table[150] = { [0 ... 149] = &a };
int *sparse[150] = { [0] = &a, [1] = &b, [62] = &c, [63] = &a, [64] = &b, [149] = &c };
void *fn = (void *)0;
void _start(void) { }
"""


def relas(path):
    out = subprocess.run([READELF, "-rW", path], capture_output=True, text=True,
                         check=True).stdout
    return {int(m.group(1), 16): int(m.group(2), 16) for m in re.finditer(
        r"^([0-9a-f]+) +[0-9a-f]+ +R_AARCH64_RELATIVE +([0-9a-f]+)", out, re.M)}


def relr_offsets(path):
    out = subprocess.run([READELF, "-rW", path], capture_output=True, text=True,
                         check=True).stdout
    return sorted(int(x, 16) for x in re.findall(r"^([0-9a-f]{16})$", out, re.M))


@unittest.skipUnless(shutil.which(CC) and shutil.which(READELF), "needs the arm64 cross gcc")
class Relr(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.elf = os.path.join(self.tmp.name, "t.elf")
        src = os.path.join(self.tmp.name, "t.c")
        with open(src, "w") as f:
            f.write(SOURCE)
        subprocess.run([CC, "-O2", "-fno-pic", "-fno-pie", "-nostdlib", "-static", "-Wl,-pie",
                        "-Wl,--no-dynamic-linker", "-Wl,-z,norelro", "-o", self.elf, src],
                       check=True)

    def test_same_pointers_relocated(self):
        before = relas(self.elf)
        self.assertEqual(len(before), 3 + 1 + 150 + 6)
        takt_relr.pack(self.elf)
        self.assertEqual(relr_offsets(self.elf), sorted(before))

    def test_addends_in_place(self):
        before = relas(self.elf)
        takt_relr.pack(self.elf)
        with open(self.elf, "rb") as f:
            data = f.read()
        elf = takt_relr.Elf(data)
        for where, addend in before.items():
            (val,) = struct.unpack_from("<Q", data, elf.file_offset(where))
            self.assertEqual(val, addend, hex(where))

    def test_section_shrinks_and_ends_with_empty_bitmap(self):
        with open(self.elf, "rb") as f:
            old = takt_relr.Elf(f.read()).named(".rela.dyn")
        takt_relr.pack(self.elf)
        with open(self.elf, "rb") as f:
            data = f.read()
        new = takt_relr.Elf(data).named(".rela.dyn")
        self.assertEqual(new["type"], takt_relr.SHT_RELR)
        self.assertLess(new["size"], old["size"] // 4)
        (last,) = struct.unpack_from("<Q", data, new["offset"] + new["size"] - 8)
        self.assertEqual(last, 1)
        tail = data[new["offset"] + new["size"]:old["offset"] + old["size"]]
        self.assertEqual(tail, bytes(len(tail)))

    def test_packing_twice_changes_nothing(self):
        takt_relr.pack(self.elf)
        with open(self.elf, "rb") as f:
            once = f.read()
        self.assertEqual(takt_relr.pack(self.elf), "already packed")
        with open(self.elf, "rb") as f:
            self.assertEqual(f.read(), once)

    def test_other_relocation_type_refused(self):
        with open(self.elf, "rb") as f:
            data = bytearray(f.read())
        rela = takt_relr.Elf(bytes(data)).named(".rela.dyn")
        struct.pack_into("<Q", data, rela["offset"] + 8, 257)	# R_AARCH64_ABS64
        with open(self.elf, "wb") as f:
            f.write(data)
        with self.assertRaises(SystemExit) as e:
            takt_relr.pack(self.elf)
        self.assertIn("only R_AARCH64_RELATIVE", str(e.exception))

    def test_unaligned_pointer_refused(self):
        with open(self.elf, "rb") as f:
            data = bytearray(f.read())
        rela = takt_relr.Elf(bytes(data)).named(".rela.dyn")
        (off,) = struct.unpack_from("<Q", data, rela["offset"])
        struct.pack_into("<Q", data, rela["offset"], off + 4)
        with open(self.elf, "wb") as f:
            f.write(data)
        with self.assertRaises(SystemExit) as e:
            takt_relr.pack(self.elf)
        self.assertIn("not 8-byte aligned", str(e.exception))

    def test_encode_decode_round_trip(self):
        for addrs in ([0x1000], [0x1000, 0x1008], [0x1000 + 8 * i for i in range(200)],
                      [0x1000, 0x1000 + 8 * 63, 0x1000 + 8 * 64, 0x9000]):
            words = takt_relr.encode(addrs)
            self.assertEqual(takt_relr.decode(words + [1]), addrs)
            self.assertTrue(all(w != 1 for w in words))


if __name__ == "__main__":
    unittest.main()
