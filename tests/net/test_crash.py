"""GET /crash (net/http/crash_page.c) serves the previous boot's crash core
(kernel/crash_record.c): the crash_record app booted with panic=reset, without
-no-reboot, panics on its first boot (its core on the console) and resets; the
second boot reports the record and serves it. The file curl gets is the console's
core, byte for byte, an ELF core file. HEAD gives its length.

Every wait is on a console line or curl, with a timeout."""

import json
import os
import shutil
import subprocess
import sys
import tempfile

from guest import Guest, GuestError
from checks import check, parse_args, run_boots

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
sys.path.insert(0, os.path.join(HERE, "..", "target"))
import console_block  # noqa: E402
import crash_record  # noqa: E402  (the region for QEMU's virt DT)

REGION_OFFSET = 0x3f00000       # from RAM's base, as the boards' DTs put it


def extra_dtb(build_dir, tmp):
    """QEMU's virt makes its own DT, without the region: one with it (-dtb)."""
    with open(os.path.join(build_dir, "run.json")) as f:
        qemu = json.load(f)["qemu"]
    if "-dtb" in qemu or "aarch64" not in os.path.basename(qemu[0]):
        return []
    return ["-dtb", crash_record.virt_dtb(qemu, 0x40000000 + REGION_OFFSET, tmp)]


def curl(port, path, head=False):
    args = ["curl", "-sS", "--max-time", "60", "-o", "-", "-w", "\n%{http_code}"]
    if head:
        args.append("-I")
    out = subprocess.run(args + ["http://127.0.0.1:%d%s" % (port, path)],
                         capture_output=True, timeout=90).stdout
    body, _, code = out.rpartition(b"\n")
    return int(code or 0), body


def run_served(build_dir):
    tmp = tempfile.mkdtemp(prefix="takt-crash-")
    try:
        served(build_dir, extra_dtb(build_dir, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def served(build_dir, extra):
    with Guest(build_dir, forwards=[80], typing=True, reboot=True, extra=extra,
               append="panic=reset serve") as g:
        kept = g.wait_for(r"^crash: its core, (\d+) bytes \(crc ([0-9a-f]{8})\), is kept",
                          timeout=120)
        g.wait_for(r"^crash_record: serving GET /crash; type a line to end$", timeout=120)
        core = console_block.extract("\n".join(g.output()), "CORE")
        code, body = curl(g.port(80), "/crash")
        check("crash_served", code == 200 and body == core,
              "HTTP %d, %d bytes; the console's core: %s bytes" % (code, len(body),
                                                                  len(core) if core else None))
        check("crash_is_an_elf_core", body[:4] == b"\x7fELF" and body[16:18] == b"\x04\x00" and
              len(body) == int(kept.group(1)))
        code, head = curl(g.port(80), "/crash", head=True)
        check("crash_head_length", code == 200 and
              b"content-length: %d" % len(core) in head.lower(), head[:300])
        g.type("bye\n")
        check("second_boot_ends", g.wait_exit(timeout=60) == 3)


def main():
    a = parse_args()
    return run_boots("crash", (("served", run_served, (a.build_dir,)),),
                     (GuestError, OSError, ValueError, subprocess.SubprocessError,
                      console_block.BlockError))


if __name__ == "__main__":
    sys.exit(main())
