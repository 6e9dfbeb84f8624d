"""tools/takt_trace.py on traces made here: the console block's framing (length, CRC,
END line, base64) and the binary header are checked, and every bad input is refused
with a message naming the problem (TraceError; status 2 from the command line); a
good trace converts to ftrace text in Perfetto's line format and to CTF that
babeltrace2 reads event for event."""
import base64
import os
import re
import struct
import subprocess
import sys
import tempfile
import unittest
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
import takt_trace as tt  # noqa: E402

PERFETTO_LINE = re.compile(r"-(\d+)\s+\(?\s*(\d+|-+)?\)?\s?\[(\d+)\]\s*"
                           r"[a-zA-Z0-9.]{0,4}\s+(\d+\.\d+):\s+(\S+):")


def name_recs(ts, tid, name, policy=1, prio=10):
    b = name.encode().ljust(16, b"\0")
    small = policy << 8 | prio
    return [(ts, 13, part, small, tid) + struct.unpack("<II", b[8 * part:8 * part + 8])
            for part in (0, 1)]


def make_trace(records, lost=0, labels=("round",), names=(), size=64):
    data = tt.HEADER.pack(b"TKTR", 1, 24, 1, 0, size, len(labels), len(names), 0)
    data += tt.CPU_HEADER.pack(0, len(records), len(records) + lost, lost)
    data += b"".join(tt.REC.pack(*r) for r in records)
    data += b"".join(lb.encode().ljust(32, b"\0") for lb in labels)
    data += b"".join(tt.NAME.pack(tid, 1, 10, 0, n.encode()) for tid, n in names)
    return data


def block(data, length=None, crc=None, end=True):
    b64 = base64.b64encode(data).decode()
    lines = [b64[i:i + 76] for i in range(0, len(b64), 76)]
    text = "boot\r\nTRACE BEGIN %d\r\n" % (len(data) if length is None else length)
    return text + "\r\n".join(lines) + ("\r\nTRACE END %08x\r\n" % (
        zlib.crc32(data) if crc is None else crc) if end else "\r\n")


GOOD = make_trace(name_recs(1, 3, "ping") + name_recs(2, 4, "pong worker") + [
    (100, 1, 0, 0, 1, 3, 0),          # main -> ping, preempted
    (150, 11, 0, 0, 3, 0, 0),         # ping begins "round"
    (160, 10, 0, 0, 3, 7, 0),         # ping marks round = 7
    (200, 2, 0, 0, 4, 0, 0),          # pong woken on CPU 0
    (250, 1, 1, 0, 3, 4, 0),          # ping blocks -> pong
    (300, 6, 0, 0, 4, 0, 0),          # pong misses a deadline
    (400, 1, 2, 0, 4, 3, 0),          # pong exits -> ping
    (450, 12, 0, 0, 3, 0, 0),         # ping ends "round"
], names=[(1, "main")])


class Framing(unittest.TestCase):
    def test_good_block(self):
        self.assertEqual(tt.extract(block(GOOD)), GOOD)

    def test_bad_blocks_are_named(self):
        for text, problem in (
                ("boot\nno trace here\n", "no TRACE BEGIN line"),
                (block(GOOD, end=False), "no TRACE END line"),
                (block(GOOD, crc=0x1234), "CRC-32"),
                (block(GOOD, length=len(GOOD) + 24), "TRACE BEGIN announced"),
                (block(GOOD).replace("TRACE END", "garbage!\r\nTRACE END"), "not base64")):
            with self.assertRaises(tt.TraceError) as cm:
                tt.extract(text)
            self.assertIn(problem, str(cm.exception))


class Parsing(unittest.TestCase):
    def test_bad_binaries_are_named(self):
        for data, problem in (
                (b"ELF\0" + GOOD[4:], "not a Takt trace"),
                (GOOD[:10], "truncated"),
                (GOOD[:-5], "truncated"),
                (GOOD + b"\0", "bytes after the names"),
                (GOOD[:4] + struct.pack("<H", 2) + GOOD[6:], "version 2"),
                (make_trace([(1, 99, 0, 0, 1, 0, 0)]), "unknown type 99"),
                (tt.HEADER.pack(b"TKTR", 1, 24, 1, 0, 100, 0, 0, 0), "bad header")):
            with self.assertRaises(tt.TraceError) as cm:
                tt.parse(data)
            self.assertIn(problem, str(cm.exception))

    def test_names_from_records_and_live_table(self):
        t = tt.parse(GOOD)
        self.assertEqual(t["names"][3][0], "ping")
        self.assertEqual(t["names"][4][0], "pong worker")
        self.assertEqual(t["names"][1][0], "main")

    def test_command_line_refuses_with_status_2(self):
        with tempfile.NamedTemporaryFile("w", suffix=".log") as f:
            f.write(block(GOOD, crc=1))
            f.flush()
            p = subprocess.run([sys.executable, os.path.join(HERE, "..", "..", "tools",
                                                             "takt_trace.py"), f.name],
                               capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("CRC-32", p.stderr)


class Output(unittest.TestCase):
    def test_ftrace_lines_parse_as_perfetto_does(self):
        lines = [ln for ln in tt.ftrace_lines(tt.parse(GOOD)) if not ln.startswith("#")]
        self.assertEqual(len(lines), 8)
        for ln in lines:
            m = PERFETTO_LINE.search(ln)
            self.assertTrue(m, ln)
            self.assertNotIn(" ", ln[:m.start()].strip(), ln)
        text = "\n".join(lines)
        self.assertIn("prev_comm=main prev_pid=1 prev_prio=89 prev_state=R+ ==> "
                      "next_comm=ping next_pid=3 next_prio=89", text)
        self.assertIn("next_comm=pong_worker next_pid=4", text)     # no spaces
        self.assertIn("prev_state=S", text)
        self.assertIn("prev_state=X", text)
        self.assertIn("tracing_mark_write: B|3|round", text)
        self.assertIn("tracing_mark_write: N|3|round|7", text)
        self.assertIn("tracing_mark_write: E|3", text)
        self.assertIn("tracing_mark_write: I|4|deadline_miss", text)
        self.assertIn("0.000000100: sched_switch", text)             # ns resolution

    def test_ctf_read_by_babeltrace2(self):
        with tempfile.TemporaryDirectory() as d:
            tt.write_ctf(tt.parse(make_trace(GOOD_RECORDS, lost=5)), d)
            p = subprocess.run(["babeltrace2", d], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            events = p.stdout.splitlines()
            self.assertEqual(len(events), len(GOOD_RECORDS))
            self.assertIn("sched_switch", events[4])
            self.assertIn("cpu_id = 0", events[4])
            meta = subprocess.run(["babeltrace2", "--output-format=ctf-metadata", d],
                                  capture_output=True, text=True)
            self.assertIn("events_discarded", meta.stdout)
            self.assertIn("clock", meta.stdout)


GOOD_RECORDS = name_recs(1, 3, "ping") + name_recs(2, 4, "pong") + [
    (100, 1, 0, 0, 1, 3, 0), (200, 2, 0, 0, 4, 0, 0), (250, 1, 1, 0, 3, 4, 0),
    (260, 8, 0, 0, 0, 27, 0), (270, 9, 0, 0, 0, 27, 0), (300, 4, 0, 0, 4, 0, 0),
    (310, 5, 0, 0, 4, 0, 0), (320, 7, 0, 0, 4, 0, 0), (330, 3, 0, 0, 4, 0, 0)]


if __name__ == "__main__":
    unittest.main()
