#!/usr/bin/env python3
"""Crash cores from the console (kernel/crash_core.c).

A Takt panic sends an ELF core on the console as

    CORE BEGIN <bytes>
    <base64 lines of at most 76 characters>
    CORE END <crc32 of the bytes, 8 hex digits>

extract(console_text) gives the core's bytes back (None when the text has no
block), checking every line, the length and the CRC; a truncated or damaged
block raises CrashError with what is wrong and where. Lines may end in \\r\\n
(the console's) and may carry a prefix before CORE BEGIN (a log's timestamp);
the last block in the text wins (a board that panicked more than once).

    takt_crash.py extract CONSOLE.LOG [CRASH.CORE]   write the core (default:
                                                     crash.core next to the log)
    takt_crash.py info CRASH.CORE                    its threads and log tail

The core's own notes: "TAKT" type 0x54414b01, one record per thread (pid = Takt
id + 1000, state, name[16]); "TAKT" type 0x54414b02, the last bytes of console
output.
gdb shows thread names once tools/takt_core_gdb.py is sourced.
"""
import os
import re
import struct
import sys

import console_block

LINE_MAX = console_block.LINE_MAX
NT_TAKT_THREADS, NT_TAKT_LOG = 0x54414b01, 0x54414b02
STATES = {0: "ready", 1: "blocked", 2: "running", 3: "running on another CPU"}


class CrashError(Exception):
    pass


def extract(console_text):
    """The core in console_text as bytes, or None when there is no CORE BEGIN line.
    Raises CrashError for a block that is truncated or corrupted."""
    try:
        return console_block.extract(console_text, "CORE")
    except console_block.BlockError as e:
        raise CrashError(str(e))


fold = console_block.fold


def notes(core):
    """[(name, type, desc)] of the core's PT_NOTE segments."""
    if core[:4] != b"\x7fELF" or len(core) < 64:
        raise CrashError("not an ELF file")
    phoff, = struct.unpack_from("<Q", core, 32)
    phentsize, phnum = struct.unpack_from("<HH", core, 54)
    out = []
    for i in range(phnum):
        p_type, _, off, _, _, filesz = struct.unpack_from("<IIQQQQ", core, phoff + i * phentsize)
        if p_type != 4:
            continue
        pos, end = off, off + filesz
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", core, pos)
            pos += 12
            name = core[pos:pos + namesz].rstrip(b"\0").decode("ascii", "replace")
            pos += (namesz + 3) & ~3
            out.append((name, ntype, core[pos:pos + descsz]))
            pos += (descsz + 3) & ~3
    return out


def threads(core):
    """[(pid, state, name)] from the core's TAKT thread note."""
    res = []
    for name, ntype, desc in notes(core):
        if name == "TAKT" and ntype == NT_TAKT_THREADS:
            for off in range(0, len(desc) - 23, 24):
                pid, state = struct.unpack_from("<II", desc, off)
                nm = desc[off + 8:off + 24].split(b"\0")[0].decode("ascii", "replace")
                res.append((pid, state, nm))
    return res


def log_tail(core):
    for name, ntype, desc in notes(core):
        if name == "TAKT" and ntype == NT_TAKT_LOG:
            return desc.decode("utf-8", "replace")
    return ""


def save(log_path, out_path=None):
    """Extract the core from the console log at log_path into out_path (default:
    crash.core beside the log). Returns out_path, or None without a block."""
    with open(log_path, "rb") as f:
        core = extract(f.read())
    if core is None:
        return None
    out_path = out_path or os.path.join(os.path.dirname(os.path.abspath(log_path)), "crash.core")
    with open(out_path, "wb") as f:
        f.write(core)
    return out_path


def main(argv):
    if len(argv) >= 2 and argv[0] == "extract" and len(argv) <= 3:
        try:
            out = save(argv[1], argv[2] if len(argv) == 3 else None)
        except (CrashError, OSError) as e:
            print("takt_crash: %s" % e, file=sys.stderr)
            return 1
        if out is None:
            print("takt_crash: %s has no crash core (no CORE BEGIN line)" % argv[1],
                  file=sys.stderr)
            return 1
        print("crash core: %s (%d bytes)" % (out, os.path.getsize(out)))
        return 0
    if len(argv) == 2 and argv[0] == "info":
        try:
            with open(argv[1], "rb") as f:
                core = f.read()
            ths = threads(core)
            tail = log_tail(core)
        except (CrashError, OSError, struct.error) as e:
            print("takt_crash: %s: %s" % (argv[1], e), file=sys.stderr)
            return 1
        for pid, state, name in ths:
            print("LWP %d  %-16s %s" % (pid, name, STATES.get(state, "?")))
        print("--- log tail ---")
        sys.stdout.write(tail)
        return 0
    print("usage: takt_crash.py extract CONSOLE.LOG [CRASH.CORE] | info CRASH.CORE",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
