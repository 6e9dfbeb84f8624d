"""./takt debug's own inputs are checked before anything is built, and the gdb
session helper (tools/takt_debug.py) names a missing ELF or QEMU in one line."""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TAKT = os.path.join(HERE, "..", "..", "takt")
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
sys.dont_write_bytecode = True
import takt_debug  # noqa: E402


class DebugArgs(unittest.TestCase):
    def test_missing_batch_file_refused_before_the_build(self):
        p = subprocess.run([TAKT, "debug", "--batch", "/nonexistent/x.gdb"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 2, (p.stdout, p.stderr))
        self.assertIn("--batch: no such file: /nonexistent/x.gdb", p.stderr)
        self.assertNotIn("[build]", p.stdout)

    def test_batch_needs_a_value_and_belongs_to_debug(self):
        p = subprocess.run([TAKT, "debug", "--batch"], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 2)
        self.assertIn("option --batch needs a value", p.stderr)
        p = subprocess.run([TAKT, "build", "--batch", "x"], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown option '--batch' for build", p.stderr)


class Session(unittest.TestCase):
    def test_missing_elf_named(self):
        with self.assertRaisesRegex(takt_debug.DebugError, "no /nonexistent/takt.elf"):
            takt_debug.session(["true"], "/nonexistent/takt.elf", os.devnull)

    def test_qemu_exiting_before_its_gdbstub_is_an_error_not_a_hang(self):
        with tempfile.NamedTemporaryFile(suffix=".elf") as elf:
            with self.assertRaisesRegex(takt_debug.DebugError,
                                        "QEMU exited 1 before its gdbstub was up"):
                takt_debug.session(["false"], elf.name, os.devnull)

    def test_gdbstub_on_the_socket_and_halt_only_when_asked(self):
        self.assertEqual(takt_debug.qemu_args(["q"], "/s", True)[-3:],
                         ["-gdb", "chardev:takt_gdb", "-S"])
        self.assertNotIn("-S", takt_debug.qemu_args(["q"], "/s", False))
        self.assertIn("socket,id=takt_gdb,path=/s,server=on,wait=off",
                      takt_debug.qemu_args(["q"], "/s", False))


if __name__ == "__main__":
    unittest.main()
