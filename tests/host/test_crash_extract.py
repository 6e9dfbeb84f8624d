"""tools/takt_crash.py: the crash core block on a console (kernel/crash_core.c's
CORE BEGIN <bytes> / base64 lines / CORE END <crc32>) comes back byte for byte;
a truncated block, a wrong CRC, a wrong length or a damaged line is refused with
a message that says what is wrong and where, and the command line tool exits 1
with that message instead of a traceback; a console without a block is None."""
import base64
import binascii
import contextlib
import io
import os
import struct
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
sys.dont_write_bytecode = True
import takt_crash  # noqa: E402


def block(data, crc=None, size=None, nl="\r\n"):
    """data framed as the kernel frames it (57 bytes = 76 characters a line)."""
    lines = ["CORE BEGIN %d" % (len(data) if size is None else size)]
    for i in range(0, len(data), 57):
        lines.append(base64.b64encode(data[i:i + 57]).decode())
    lines.append("CORE END %08x" % (binascii.crc32(data) if crc is None else crc))
    return nl.join(lines) + nl


def elf_core(notes):
    """A minimal ELF core with one PT_NOTE holding notes [(name, type, desc)]."""
    body = b""
    for name, ntype, desc in notes:
        n = name.encode() + b"\0"
        body += struct.pack("<III", len(n), len(desc), ntype)
        body += n + b"\0" * (-len(n) % 4) + desc + b"\0" * (-len(desc) % 4)
    ehdr = b"\x7fELF\x02\x01\x01" + b"\0" * 9 + struct.pack(
        "<HHIQQQIHHHHHH", 4, 183, 1, 0, 64, 0, 0, 64, 56, 1, 64, 0, 0)
    phdr = struct.pack("<IIQQQQQQ", 4, 0, 64 + 56, 0, 0, len(body), len(body), 4)
    return ehdr + phdr + body


DATA = bytes(range(256)) * 5 + b"tail"       # 1284 bytes: the last line is short
BOOT = "boot: image at 0x40200000\r\nPANIC: unexpected exception\r\n"


class ExtractGood(unittest.TestCase):
    def test_block_after_log_lines(self):
        self.assertEqual(takt_crash.extract(BOOT + block(DATA) + "after\r\n"), DATA)

    def test_bytes_input_and_plain_newlines(self):
        self.assertEqual(takt_crash.extract((BOOT + block(DATA, nl="\n")).encode()), DATA)

    def test_every_length_mod_3(self):
        for n in (0, 1, 2, 3, 56, 57, 58, 114):
            with self.subTest(n=n):
                self.assertEqual(takt_crash.extract(block(DATA[:n])), DATA[:n])

    def test_last_block_wins(self):
        self.assertEqual(takt_crash.extract(block(b"first") + block(DATA)), DATA)

    def test_no_block_is_none(self):
        self.assertIsNone(takt_crash.extract(BOOT))
        self.assertIsNone(takt_crash.extract(""))


class ExtractBad(unittest.TestCase):
    def refused(self, text, *words):
        with self.assertRaises(takt_crash.CrashError) as cm:
            takt_crash.extract(text)
        for w in words:
            self.assertIn(w, str(cm.exception))
        return str(cm.exception)

    def test_truncated_no_end(self):
        text = block(DATA)
        cut = text[:text.index("CORE END")]
        self.refused(cut, "truncated", "no CORE END", "of 1284 bytes")

    def test_truncated_mid_line(self):
        text = block(DATA)
        self.refused(text[:len(text) // 2 + 1], "truncated", "no CORE END")

    def test_lines_lost(self):
        lines = block(DATA).split("\r\n")
        del lines[3:5]
        self.refused("\r\n".join(lines), "announced 1284", "truncated or corrupted")

    def test_bad_crc(self):
        self.refused(block(DATA, crc=binascii.crc32(DATA) ^ 1), "CRC-32", "corrupted")

    def test_flipped_byte(self):
        lines = block(DATA).split("\r\n")
        lines[2] = ("B" if lines[2][0] == "A" else "A") + lines[2][1:]
        self.refused("\r\n".join(lines), "CRC-32")

    def test_garbage_line_inside(self):
        lines = block(DATA).split("\r\n")
        lines.insert(4, "dev: /psci -> psci")
        self.refused("\r\n".join(lines), "line 5", "not base64")

    def test_overlong_line(self):
        lines = block(DATA).split("\r\n")
        lines[1] += "AAAA"
        self.refused("\r\n".join(lines), "at most 76")


class Fold(unittest.TestCase):
    """A console tail (failure reports) shows the panic, not the core's base64."""

    def test_block_folded_to_one_line(self):
        text = BOOT + block(DATA, nl="\n") + "after\n"
        folded = takt_crash.fold(text)
        self.assertIn("PANIC: unexpected exception", folded)
        self.assertIn("CORE BEGIN 1284\n[23 lines of the crash core's base64 not shown]\n"
                      "CORE END ", folded)
        self.assertTrue(folded.endswith("after\n"))
        self.assertLess(len(folded.split("\n")), 8)

    def test_truncated_block_and_no_block(self):
        cut = (BOOT + block(DATA, nl="\n"))[:400]
        self.assertTrue(takt_crash.fold(cut).endswith("base64 not shown]"))
        self.assertEqual(takt_crash.fold(BOOT), BOOT)


class Cli(unittest.TestCase):
    def run_cli(self, args):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = takt_crash.main(args)
        return rc, out.getvalue(), err.getvalue()

    def test_extract_writes_core_beside_log(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "console.log")
            with open(log, "w") as f:
                f.write(BOOT + block(DATA))
            rc, out, _ = self.run_cli(["extract", log])
            self.assertEqual(rc, 0)
            with open(os.path.join(d, "crash.core"), "rb") as f:
                self.assertEqual(f.read(), DATA)
            self.assertIn("1284 bytes", out)

    def test_bad_inputs_fail_with_message(self):
        with tempfile.TemporaryDirectory() as d:
            cases = {"none": BOOT, "crc": block(DATA, crc=0), "cut": block(DATA)[:300]}
            for name, text in cases.items():
                log = os.path.join(d, name + ".log")
                with open(log, "w") as f:
                    f.write(text)
                with self.subTest(case=name):
                    rc, _, err = self.run_cli(["extract", log])
                    self.assertEqual(rc, 1)
                    self.assertTrue(err.startswith("takt_crash: "), err)
                    self.assertFalse(os.path.exists(os.path.join(d, "crash.core")))
            rc, _, err = self.run_cli(["extract", os.path.join(d, "missing.log")])
            self.assertEqual(rc, 1)
            self.assertIn("No such file", err)

    def test_usage(self):
        self.assertEqual(self.run_cli([])[0], 2)

    def test_info_lists_threads_and_log(self):
        recs = struct.pack("<II", 1001, 2) + b"main".ljust(16, b"\0") + \
            struct.pack("<II", 1003, 1) + b"waiter".ljust(16, b"\0")
        core = elf_core([("CORE", 1, b"\0" * 392), ("TAKT", takt_crash.NT_TAKT_THREADS, recs),
                         ("TAKT", takt_crash.NT_TAKT_LOG, b"PANIC: x\n")])
        self.assertEqual(takt_crash.threads(core), [(1001, 2, "main"), (1003, 1, "waiter")])
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "crash.core")
            with open(path, "wb") as f:
                f.write(core)
            rc, out, _ = self.run_cli(["info", path])
        self.assertEqual(rc, 0)
        self.assertIn("LWP 1003  waiter", out)
        self.assertIn("PANIC: x", out)

    def test_info_not_elf(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "crash.core")
            with open(path, "wb") as f:
                f.write(b"not a core")
            rc, _, err = self.run_cli(["info", path])
        self.assertEqual(rc, 1)
        self.assertIn("not an ELF file", err)


if __name__ == "__main__":
    unittest.main()
