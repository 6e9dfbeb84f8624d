#!/usr/bin/env python3
"""Takt's scheduler trace (kernel/trace/) out of a console log, and into the formats
other tools read:

    takt_trace.py INPUT [--ftrace FILE] [--ctf DIR] [--bin FILE] [--summary]

INPUT is a console log holding a `TRACE BEGIN LEN` .. `TRACE END CRC32` block (the
kernel's dump, tools/console_block.py) or the binary block itself (--bin writes it). --ftrace writes ftrace
text (sched_switch, sched_waking, tracing_mark_write B/E/I/N) that Perfetto's UI and
trace processor import: per-CPU thread slices, the app's marks as slices (B/E) and as
instants on a track per label named by their value (N),
deadline misses as instants `deadline_miss`. --ctf writes a CTF 1.8 trace (TSDL
metadata with a clock block and a packet context with events_discarded and cpu_id,
one stream per CPU) that babeltrace2 reads: one event per kernel record.
--summary prints the counts. A block cut short, with a bad CRC or a bad header is
refused with a message and status 2.
"""

import os
import re
import struct
import sys
import uuid

import console_block

REC = struct.Struct("<QBBHIII")          # ts, type, extra, small, id, arg, arg2: 24 bytes
HEADER = struct.Struct("<4sHHIIIIII")    # magic, version, rec size, cpus, mode, size, ...
CPU_HEADER = struct.Struct("<IIQQ")      # cpu, records, written, lost
NAME = struct.Struct("<IBBH16s")
LABEL_SIZE = 32
TYPES = {1: "switch", 2: "wake", 3: "block", 4: "throttle", 5: "replenish", 6: "miss",
         7: "overrun", 8: "irq_enter", 9: "irq_exit", 10: "mark", 11: "begin", 12: "end",
         13: "name"}
STATES = {0: "R+", 1: "S", 2: "X"}
POLICY_DEADLINE = 6


class TraceError(Exception):
    """Bad input: the message names the problem."""


# -- reading ------------------------------------------------------------------------------

def extract(text):
    """The last TRACE block of a console log (console_block.py: length and CRC
    checked)."""
    try:
        data = console_block.extract(text, "TRACE")
    except console_block.BlockError as e:
        raise TraceError(str(e))
    if data is None:
        raise TraceError("no TRACE BEGIN line: the run was not traced (bootarg trace=on) "
                         "or its dump is missing")
    return data


def take(data, pos, n, what):
    if pos + n > len(data):
        raise TraceError("truncated: %s needs %d bytes at offset %d, the trace has %d"
                         % (what, n, pos, len(data)))
    return data[pos:pos + n], pos + n


def cstr(b):
    return b.split(b"\0", 1)[0].decode("utf-8", "replace")


def parse(data):
    """{'cpus': [{'cpu', 'written', 'lost', 'records'}], 'labels', 'names', 'mode'}."""
    raw, pos = take(data, 0, HEADER.size, "the header")
    magic, version, rec_size, ncpus, mode, size, nlabels, nnames, _ = HEADER.unpack(raw)
    if magic != b"TKTR":
        raise TraceError("not a Takt trace (magic %r, expected b'TKTR')" % magic)
    if version != 1 or rec_size != REC.size:
        raise TraceError("trace version %d with %d-byte records: this converter reads "
                         "version 1 with %d-byte records" % (version, rec_size, REC.size))
    if not 1 <= ncpus <= 64 or mode not in (0, 1) or size == 0 or size & (size - 1):
        raise TraceError("bad header: %d CPUs, mode %d, %d records per CPU"
                         % (ncpus, mode, size))
    cpus = []
    for _ in range(ncpus):
        raw, pos = take(data, pos, CPU_HEADER.size, "a CPU header")
        cpu, nrec, written, lost = CPU_HEADER.unpack(raw)
        if nrec > size:
            raise TraceError("CPU %d claims %d records, more than its ring's %d"
                             % (cpu, nrec, size))
        raw, pos = take(data, pos, nrec * REC.size, "CPU %d's records" % cpu)
        recs = [REC.unpack_from(raw, k * REC.size) for k in range(nrec)]
        bad = [r for r in recs if r[1] not in TYPES]
        if bad:
            raise TraceError("CPU %d: record of unknown type %d" % (cpu, bad[0][1]))
        cpus.append({"cpu": cpu, "written": written, "lost": lost, "records": recs})
    raw, pos = take(data, pos, nlabels * LABEL_SIZE, "the labels")
    labels = [cstr(raw[k * LABEL_SIZE:(k + 1) * LABEL_SIZE]) for k in range(nlabels)]
    raw, pos = take(data, pos, nnames * NAME.size, "the names")
    names = {}
    for k in range(nnames):
        tid, policy, prio, _, name = NAME.unpack_from(raw, k * NAME.size)
        names[tid] = (cstr(name), policy, prio)
    if pos != len(data):
        raise TraceError("%d bytes after the names: not a trace this converter knows"
                         % (len(data) - pos))
    names_from_records(cpus, names)
    return {"mode": "stop" if mode else "overwrite", "size": size, "cpus": cpus,
            "labels": labels, "names": names}


def names_from_records(cpus, names):
    """TR_NAME records (two 8-byte parts a thread) name threads gone by the dump."""
    parts = {}
    for c in cpus:
        for ts, typ, extra, small, tid, arg, arg2 in c["records"]:
            if typ == 13 and extra < 2:
                parts.setdefault(tid, [b"\0" * 8, b"\0" * 8, small])[extra] = \
                    struct.pack("<II", arg, arg2)
    for tid, (p0, p1, small) in parts.items():
        if tid not in names:
            names[tid] = (cstr(p0 + p1), small >> 8, small & 0xff)


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] == b"TKTR":
        return data
    return extract(data.decode("utf-8", "replace"))


# -- ftrace text (Perfetto) ---------------------------------------------------------------

def is_idle(name):
    """The kernel's idle threads ("idle", "idle/N"): ftrace's swapper, pid 0."""
    return name == "idle" or name.startswith("idle/")


def comm_pid(names, tid):
    name, policy, prio = names.get(tid, ("thread-%d" % tid, 0, 0))
    if is_idle(name):
        return "swapper/" + name[5:] if name.startswith("idle/") else "swapper", 0
    return re.sub(r"\s", "_", name) or "thread-%d" % tid, tid


def kprio(names, tid):
    """Linux's kernel priority as ftrace prints it: 99 - rt priority, -1 deadline."""
    name, policy, prio = names.get(tid, ("", 0, 0))
    if is_idle(name):
        return 120
    return -1 if policy == POLICY_DEADLINE else 99 - prio


def ftrace_lines(trace):
    names, labels = trace["names"], trace["labels"]
    events = sorted(((r, c["cpu"]) for c in trace["cpus"] for r in c["records"]),
                    key=lambda e: e[0][0])
    current = {}            # cpu -> tid running: the first switch's prev, then each next
    for (ts, typ, extra, small, tid, arg, arg2), cpu in events:
        if typ == 1 and cpu not in current:
            current[cpu] = tid
    out = ["# tracer: nop", "#", "# Takt scheduler trace (tools/takt_trace.py)",
           "#           TASK-PID     CPU#  ||||   TIMESTAMP  FUNCTION"]
    for (ts, typ, extra, small, tid, arg, arg2), cpu in events:
        t = "%d.%09d" % (ts // 1000000000, ts % 1000000000)
        who = current.get(cpu, tid if typ in (10, 11, 12) else 0)
        comm, pid = comm_pid(names, who) if who else ("swapper/%d" % cpu, 0)

        def line(event, args):
            out.append("%16s-%-7d [%03d] ....  %s: %s: %s" % (comm, pid, cpu, t, event, args))
        if typ == 1:
            pc, pp = comm_pid(names, tid)
            nc, np_ = comm_pid(names, arg)
            line("sched_switch", "prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s ==> "
                 "next_comm=%s next_pid=%d next_prio=%d" % (pc, pp, kprio(names, tid),
                 STATES.get(extra, "R"), nc, np_, kprio(names, arg)))
            current[cpu] = arg
        elif typ == 2:
            wc, wp = comm_pid(names, tid)
            line("sched_waking", "comm=%s pid=%d prio=%d target_cpu=%03d"
                 % (wc, wp, kprio(names, tid), arg))
        elif typ in (10, 11, 12):
            label = labels[small] if small < len(labels) else "?"
            label = re.sub(r"[|\s]", "_", label)
            mp = comm_pid(names, tid)[1]
            if typ == 10:       # an instant on the label's own track, named by the value
                line("tracing_mark_write", "N|%d|%s|%d" % (mp, label, arg | arg2 << 32))
            else:
                line("tracing_mark_write", "B|%d|%s" % (mp, label) if typ == 11
                     else "E|%d" % mp)
        elif typ == 6:
            line("tracing_mark_write", "I|%d|deadline_miss %s"
                 % (comm_pid(names, tid)[1], comm_pid(names, tid)[0]))
    return out


# -- CTF 1.8 (babeltrace2) ----------------------------------------------------------------

CTF_EVENTS = [
    # (record type, name, [(field, TSDL type, value of the record)])
    (1, "sched_switch", [("prev_tid", "uint32_t", lambda r: r[4]),
                         ("next_tid", "uint32_t", lambda r: r[5]),
                         ("prev_state", "uint8_t", lambda r: r[2])]),
    (2, "sched_waking", [("tid", "uint32_t", lambda r: r[4]),
                         ("target_cpu", "uint32_t", lambda r: r[5])]),
    (3, "sched_block", [("tid", "uint32_t", lambda r: r[4])]),
    (4, "dl_throttle", [("tid", "uint32_t", lambda r: r[4])]),
    (5, "dl_replenish", [("tid", "uint32_t", lambda r: r[4])]),
    (6, "dl_miss", [("tid", "uint32_t", lambda r: r[4])]),
    (7, "dl_overrun", [("tid", "uint32_t", lambda r: r[4])]),
    (8, "irq_entry", [("irq", "uint32_t", lambda r: r[5])]),
    (9, "irq_exit", [("irq", "uint32_t", lambda r: r[5])]),
    (10, "mark", [("tid", "uint32_t", lambda r: r[4]), ("label", "uint16_t", lambda r: r[3]),
                  ("value", "uint64_t", lambda r: r[5] | r[6] << 32)]),
    (11, "mark_begin", [("tid", "uint32_t", lambda r: r[4]),
                        ("label", "uint16_t", lambda r: r[3])]),
    (12, "mark_end", [("tid", "uint32_t", lambda r: r[4]),
                      ("label", "uint16_t", lambda r: r[3])]),
    (13, "thread_name", [("tid", "uint32_t", lambda r: r[4]), ("part", "uint8_t", lambda r: r[2]),
                         ("policy_prio", "uint16_t", lambda r: r[3]),
                         ("chars", "uint64_t", lambda r: r[5] | r[6] << 32)]),
]
PACK = {"uint8_t": "B", "uint16_t": "H", "uint32_t": "I", "uint64_t": "Q"}


def ctf_metadata(trace_uuid):
    lines = ["/* CTF 1.8 */", ""]
    for bits in (8, 16, 32, 64):
        lines.append("typealias integer { size = %d; align = 8; signed = false; } "
                     ":= uint%d_t;" % (bits, bits))
    lines += ["", "trace {", "\tmajor = 1;", "\tminor = 8;", '\tuuid = "%s";' % trace_uuid,
              "\tbyte_order = le;", "\tpacket.header := struct {",
              "\t\tuint32_t magic;", "\t\tuint8_t uuid[16];", "\t\tuint32_t stream_id;",
              "\t};", "};", "",
              'env {\n\tdomain = "takt";\n\ttracer_name = "takt";\n};', "",
              "clock {", "\tname = monotonic;",
              '\tdescription = "Takt tk_now_ns: ns since boot";', "\tfreq = 1000000000;",
              "\toffset = 0;", "};", "",
              "typealias integer { size = 64; align = 8; signed = false; "
              "map = clock.monotonic.value; } := uint64_clock_monotonic_t;", "",
              "stream {", "\tid = 0;", "\tpacket.context := struct {",
              "\t\tuint64_clock_monotonic_t timestamp_begin;",
              "\t\tuint64_clock_monotonic_t timestamp_end;",
              "\t\tuint64_t content_size;", "\t\tuint64_t packet_size;",
              "\t\tuint64_t events_discarded;", "\t\tuint32_t cpu_id;", "\t};",
              "\tevent.header := struct {", "\t\tuint8_t id;",
              "\t\tuint64_clock_monotonic_t timestamp;", "\t};", "};", ""]
    for typ, name, fields in CTF_EVENTS:
        lines.append("event {\n\tname = \"%s\";\n\tid = %d;\n\tstream_id = 0;\n"
                     "\tfields := struct {\n%s\n\t};\n};\n"
                     % (name, typ, "\n".join("\t\t%s %s;" % (t, f) for f, t, _ in fields)))
    return "\n".join(lines)


def ctf_stream(trace_uuid, c):
    fields = {typ: fields for typ, _, fields in CTF_EVENTS}
    body = bytearray()
    for r in c["records"]:
        body += struct.pack("<BQ", r[1], r[0])
        for _, t, get in fields[r[1]]:
            body += struct.pack("<" + PACK[t], get(r))
    head = struct.Struct("<I16sIQQQQQI")
    size = head.size + len(body)
    ts = [r[0] for r in c["records"]] or [0]
    return head.pack(0xC1FC1FC1, uuid.UUID(trace_uuid).bytes, 0, min(ts), max(ts),
                     size * 8, size * 8, c["lost"], c["cpu"]) + bytes(body)


def write_ctf(trace, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    trace_uuid = str(uuid.uuid4())
    with open(os.path.join(out_dir, "metadata"), "w") as f:
        f.write(ctf_metadata(trace_uuid))
    for c in trace["cpus"]:
        with open(os.path.join(out_dir, "stream_%d" % c["cpu"]), "wb") as f:
            f.write(ctf_stream(trace_uuid, c))


# -- command line -------------------------------------------------------------------------

def summary(trace):
    n = sum(len(c["records"]) for c in trace["cpus"])
    lost = sum(c["lost"] for c in trace["cpus"])
    kinds = {}
    for c in trace["cpus"]:
        for r in c["records"]:
            kinds[TYPES[r[1]]] = kinds.get(TYPES[r[1]], 0) + 1
    return "records %d lost %d cpus %d mode %s threads %d %s" % (
        n, lost, len(trace["cpus"]), trace["mode"], len(trace["names"]),
        " ".join("%s=%d" % kv for kv in sorted(kinds.items())))


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(prog="takt_trace.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("input")
    ap.add_argument("--ftrace")
    ap.add_argument("--ctf")
    ap.add_argument("--bin")
    ap.add_argument("--summary", action="store_true")
    a = ap.parse_args(argv)
    try:
        data = load(a.input)
        trace = parse(data)
    except OSError as e:
        print("takt_trace: %s: %s" % (a.input, e.strerror), file=sys.stderr)
        return 2
    except TraceError as e:
        print("takt_trace: %s: %s" % (a.input, e), file=sys.stderr)
        return 2
    if a.bin:
        with open(a.bin, "wb") as f:
            f.write(data)
    if a.ftrace:
        with open(a.ftrace, "w") as f:
            f.write("\n".join(ftrace_lines(trace)) + "\n")
    if a.ctf:
        write_ctf(trace, a.ctf)
    if a.summary or not (a.bin or a.ftrace or a.ctf):
        print(summary(trace))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
