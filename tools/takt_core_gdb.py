"""Thread names for a Takt crash core in gdb: `source tools/takt_core_gdb.py`
after loading takt.elf and the core (or gdb-multiarch -x tools/takt_core_gdb.py
takt.elf crash.core). gdb knows a core's threads by pr_pid (Takt id + 1000) only;
the names are in the core's "TAKT" thread note (kernel/crash_core.c), read here
with tools/takt_crash.py. `takt-core-names` does it again (after core-file)."""
import os
import re
import sys

import gdb

sys.path.insert(0, os.path.dirname(os.path.abspath(os.path.expanduser(__file__))))
import takt_crash  # noqa: E402


def core_path():
    m = re.search(r"Local core dump file:\s*`([^']+)'", gdb.execute("info target", to_string=True))
    return m.group(1) if m else None


def name_threads():
    path = core_path()
    if not path:
        print("takt_core_gdb: no core file loaded")
        return
    try:
        with open(path, "rb") as f:
            names = {pid: name for pid, _, name in takt_crash.threads(f.read())}
    except (OSError, takt_crash.CrashError) as e:
        print("takt_core_gdb: %s: %s" % (path, e))
        return
    for th in gdb.selected_inferior().threads():
        lwp = th.ptid[1]
        if lwp in names:
            th.name = names[lwp]


class NameThreads(gdb.Command):
    """Name the threads of a Takt crash core from its thread note."""

    def __init__(self):
        super().__init__("takt-core-names", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        name_threads()


NameThreads()
name_threads()
