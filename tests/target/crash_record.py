#!/usr/bin/env python3
"""Target test of the crash record across a warm reset (kernel/crash_record.c) in
real QEMU, with the crash_record app (tests/target/apps/crash_record).

warm: the board's QEMU command without -no-reboot and with panic=reset. Boot 1
panics; its core goes to the console (CORE BEGIN N ... CORE END CRC) and into the
DT's takt,crash-record region; the panic resets the board. Boot 2 reports the
previous crash (reason, time, message) and a core of the same N bytes with the same
CRC, and the app finds it through tk_crash_previous (an ET_CORE ELF, the message)
and ends with status 3.

corrupt: one boot each with QEMU's generic loader putting a bad record into the
region: a bad header CRC, a core longer than the region, a bad core CRC. Each is
ignored with its one line and the app finds no previous crash.

QEMU's virt makes its own DT: for it (a command without -dtb that is not the x86
board with its built-in DT) the test dumps that DT (-M ...,dumpdtb=) and adds the
region with fdtput.

watchdog: the watchdog app's "starve" booted twice: the next boot reports the
supervisor's record, which names the starved thread, and the app reads it.

overlap (QEMU virt): a region over the kernel image is refused with one line
(a panic would write its core over the running kernel).

usage: crash_record.py --mode warm|corrupt|watchdog|overlap --region ADDR --out DIR -- QEMU-CMD...
"""
import argparse
import os
import re
import struct
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
sys.dont_write_bytecode = True
import qemu_test  # noqa: E402

REGION_SIZE = 0x100000
MAGIC, VERSION, HDR_SIZE = 0x5243544B, 1, 208   # kernel/crash_record.c's struct record


def with_append(cmd, words):
    cmd = list(cmd)
    if "-append" in cmd:
        i = cmd.index("-append") + 1
        cmd[i] = (cmd[i] + " " + words).strip()
    else:
        cmd += ["-append", words]
    return cmd


def virt_dtb(cmd, region, out):
    """QEMU's own DT for this command, with the crash record region added."""
    path = os.path.join(out, "virt-crash.dtb")
    dump = list(cmd)
    i = dump.index("-M") + 1
    dump[i] += ",dumpdtb=" + path
    subprocess.run(dump, check=True, capture_output=True, timeout=60)
    node = "/reserved-memory/crash@%x" % region

    def fdtput(*args):
        subprocess.run(["fdtput", path] + list(args), check=True, timeout=30)
    fdtput("-c", "-p", node)
    fdtput("-t", "x", "/reserved-memory", "#address-cells", "2")
    fdtput("-t", "x", "/reserved-memory", "#size-cells", "2")
    fdtput("-t", "x", "/reserved-memory", "ranges")
    fdtput("-t", "s", node, "compatible", "takt,crash-record")
    fdtput("-t", "x", node, "reg", "0", "%x" % region, "0", "%x" % REGION_SIZE)
    return path


def prepare(cmd, region, out):
    cmd = [a for a in cmd if a != "-no-reboot"]
    if "-dtb" not in cmd and "qemu-system-aarch64" in os.path.basename(cmd[0]):
        cmd += ["-dtb", virt_dtb(cmd, region, out)]
    return cmd


def record(core, core_len=None, core_crc=None, hdr_crc_delta=0):
    why = b"made by the test".ljust(160, b"\0")
    clen = len(core) if core_len is None else core_len
    ccrc = zlib.crc32(core) if core_crc is None else core_crc
    head = struct.pack("<IIIIQQ160sIII", MAGIC, VERSION, HDR_SIZE, 1, 5 * 10**9, 0, why,
                       0, clen, ccrc)
    return head + struct.pack("<I", (zlib.crc32(head) + hdr_crc_delta) & 0xffffffff) + core


def run(cmd, timeout):
    rc, raw = qemu_test.run(cmd, [], timeout)
    out = raw.decode("utf-8", "replace").replace("\r\n", "\n")
    return rc, out


def warm(cmd, out_dir, timeout):
    errors = []
    rc, out = run(with_append(cmd, "panic=reset"), timeout)
    sys.stdout.write(out)
    boot1 = out.find("crash_record: no previous crash; a panic follows")
    begin = re.search(r"^CORE BEGIN (\d+)$", out, re.M)
    end = re.search(r"^CORE END ([0-9a-f]{8})$", out, re.M)
    reset = out.find("panic: resetting (panic=reset)")
    said = re.search(r"^crash: the previous boot ended in a panic at \d+\.\d{3} s: "
                     r"crash_record: deliberate panic 42$", out, re.M)
    kept = re.search(r"^crash: its core, (\d+) bytes \(crc ([0-9a-f]{8})\), is kept", out, re.M)
    if boot1 < 0 or not begin or not end or reset < 0:
        errors.append("boot 1 did not panic with a core and reset")
    elif not said or not kept or said.start() < reset:
        errors.append("boot 2 did not report the previous crash")
    elif (kept.group(1), kept.group(2)) != (begin.group(1), end.group(1)):
        errors.append("the record's core (%s bytes, crc %s) is not the console's (%s, %s)"
                      % (kept.group(1), kept.group(2), begin.group(1), end.group(1)))
    if not re.search(r"^crash_record: previous panic at \d+ ms: crash_record: deliberate "
                     r"panic 42; core %s bytes$" % (begin.group(1) if begin else r"\d+"),
                     out, re.M):
        errors.append("the app did not find the record through tk_crash_previous")
    tally = re.findall(r"^(\d+) passed, (\d+) failed", out, re.M)
    if not tally or tally[-1][1] != "0":
        errors.append("the app's checks failed: %s" % (tally[-1:] or "none"))
    if rc != 3:
        errors.append("exit status %s, expected 3 (boot 2's)" % rc)
    return errors


def watchdog(cmd, timeout):
    """The watchdog app's "starve" booted twice: the supervisor's record names the
    starved thread, and the next boot reports it as a watchdog crash."""
    errors = []
    rc, out = run(with_append(cmd, "starve watchdog.hw=off"), timeout)
    sys.stdout.write(out)
    named = re.search(r"^watchdog: (thread 'victim' \(id \d+\) starved: no check-in for \d+ ms "
                      r"\(timeout 100 ms\)); last seen fed at \d+ ms, cpu 0, \w+$", out, re.M)
    said = re.search(r"^crash: the previous boot ended in a watchdog at \d+\.\d{3} s: (.*)$",
                     out, re.M)
    app = re.search(r"^watchdog: previous boot: (.*)$", out, re.M)
    if not named:
        errors.append("boot 1: the supervisor did not name the starved thread")
    elif not said or not said.group(1).startswith(named.group(1)):
        errors.append("boot 2 did not report the watchdog's record naming the thread")
    elif not app or app.group(1) != said.group(1):
        errors.append("the app did not find the record through tk_crash_previous")
    if rc != 3:
        errors.append("exit status %s, expected 3 (boot 2's)" % rc)
    return errors


CASES = [
    ("bad_header_crc", dict(hdr_crc_delta=1), "bad CRC \\(header\\)"),
    ("core_too_long", dict(core_len=REGION_SIZE), "bad length \\(a core longer than the region\\)"),
    ("bad_core_crc", dict(core_crc=0x12345678), "bad CRC \\(core\\)"),
]


def corrupt(cmd, region, out_dir, timeout):
    errors = []
    core = b"\x7fELF" + bytes(252)
    for name, kw, why in CASES:
        path = os.path.join(out_dir, name + ".bin")
        with open(path, "wb") as f:
            f.write(record(core, **kw))
        c = with_append(cmd, "report") + ["-no-reboot", "-device",
                                            "loader,file=%s,addr=0x%x,force-raw=on" % (path, region)]
        rc, out = run(c, timeout)
        sys.stdout.write(out)
        line = r"^crash: the crash record at 0x%x is ignored: %s$" % (region, why)
        if not re.search(line, out, re.M):
            errors.append("%s: no line /%s/" % (name, line))
        if re.search(r"^crash: the previous boot", out, re.M):
            errors.append("%s: a bad record was reported as a crash" % name)
        if "crash_record: no previous crash" not in out or rc != 3:
            errors.append("%s: the app found a record or failed (status %s)" % (name, rc))
    # the same record with nothing wrong is taken: the loader path itself works
    path = os.path.join(out_dir, "good.bin")
    with open(path, "wb") as f:
        f.write(record(core))
    rc, out = run(with_append(cmd, "report") + ["-no-reboot", "-device",
                  "loader,file=%s,addr=0x%x,force-raw=on" % (path, region)], timeout)
    sys.stdout.write(out)
    if not re.search(r"^crash: the previous boot ended in a panic at 5\.000 s: made by the test$",
                     out, re.M):
        errors.append("good: a sound record made by the test was not reported")
    return errors


def overlap(raw_cmd, cmd, out_dir, timeout):
    """A region over the kernel image (QEMU virt, its DT changed here) is
    refused with one line: a panic would write its core over the kernel.
    The image's address is what boot 1 says."""
    rc, out = run(with_append(cmd, "report"), timeout)
    m = re.search(r"^boot: image at 0x([0-9a-f]+)", out, re.M)
    if not m:
        return ["boot 1 did not say where the image is (status %s)" % rc]
    image = int(m.group(1), 16)
    bad = [a for a in raw_cmd if a != "-no-reboot"] + ["-dtb", virt_dtb(raw_cmd, image, out_dir)]
    rc, out = run(with_append(bad, "report"), timeout)
    sys.stdout.write(out)
    want = (r"^crash: the crash record region 0x%x\+0x%x overlaps the kernel image; "
            r"no crash record$" % (image, REGION_SIZE))
    errors = [] if re.search(want, out, re.M) else ["missing /%s/" % want]
    # the app then finds no region (tk_crash_previous: -ENODEV) and says so
    if rc != 1 or not re.search(r"^crash_record: no crash record region in the DT$", out, re.M):
        errors.append("boot 2: the app did not find the region missing (status %s)" % rc)
    return errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=("warm", "corrupt", "watchdog", "overlap"), required=True)
    ap.add_argument("--region", type=lambda s: int(s, 0), required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    raw_cmd = cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    os.makedirs(a.out, exist_ok=True)
    cmd = prepare(cmd, a.region, a.out)
    print("$ " + " ".join(cmd), flush=True)
    if a.mode == "warm":
        errors = warm(cmd, a.out, a.timeout)
    elif a.mode == "watchdog":
        errors = watchdog(cmd, a.timeout)
    elif a.mode == "overlap":
        errors = overlap(raw_cmd, cmd, a.out, a.timeout)
    else:
        errors = corrupt(cmd, a.region, a.out, a.timeout)
    for e in errors:
        print("FAIL: " + e)
    print("PASS" if not errors else "%d failed" % len(errors))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
