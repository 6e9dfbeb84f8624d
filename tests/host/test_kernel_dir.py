"""An app build that links a board's kernel library (TAKT_KERNEL_DIR, made once per
board by ./takt) refuses a folder that is not such a build, or is one for another
board, at configure time, with one line naming what it found (never a link of the
wrong board's kernel)."""
import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tools"))
import takt_setup  # noqa: E402


def configure(build, kernel_dir):
    return subprocess.run(["cmake", "-S", ROOT, "-B", build, "-DBOARD=qemu-virt-arm64",
                           "-DAPP=hello", "-DTAKT_KERNEL_DIR=" + kernel_dir,
                           "-DTAKT_CACHE_DIR=" + takt_setup.cache_dir()],
                          capture_output=True, text=True, timeout=120)


class KernelDir(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def test_unconfigured_folder_refused(self):
        p = configure(os.path.join(self.tmp.name, "app"), os.path.join(self.tmp.name, "none"))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("is not a configured build", p.stdout + p.stderr)

    def test_other_boards_kernel_refused(self):
        kdir = os.path.join(self.tmp.name, "kernel")
        os.makedirs(kdir)
        with open(os.path.join(kdir, "CMakeCache.txt"), "w") as f:
            f.write("BOARD:STRING=rpi-3b\nTAKT_KERNEL_ONLY:BOOL=ON\n")
        p = configure(os.path.join(self.tmp.name, "app"), kdir)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("is not a kernel library build for board qemu-virt-arm64 (it is "
                      "board 'rpi-3b'", " ".join((p.stdout + p.stderr).split()))


if __name__ == "__main__":
    unittest.main()
