#!/usr/bin/env python3
"""A gdb-remote proxy between gdb and QEMU's gdbstub that makes every Takt thread a
gdb thread. It answers qfThreadInfo/qsThreadInfo/qThreadExtraInfo/qC/Hg/g/p/T from
kernel memory, read with QEMU's own 'm' packets, and forwards everything else.

Where things are comes from the kernel's constant table takt_debug_offsets
(kernel/debug_offsets.c), found by its symbol in takt.elf; no DWARF is needed.
gdb thread id = Takt thread id + 1000 (QEMU's own ids are CPU numbers 1..n, so the
two never mix). A running thread's registers are its CPU's, read live; a
switched-out thread's come from the frame arch_context_switch left on its stack.
Memory that does not read back, a bad magic or a list that does not close within
MAX_THREADS ends the walk: a corrupt list gives fewer threads, never a hang.
"""

import os
import re
import socket
import struct
import subprocess
import sys
import threading

TID_BASE = 1000
MAX_THREADS = 512
STATES = {0: "ready", 1: "blocked", 2: "exited"}
POLICIES = {0: "IDLE", 1: "FIFO", 2: "RR", 6: "DEADLINE"}
HDR = "<IIIIQQQHHHH" + "H" * 7 + "H" * 7 + "HHH" + "HHHHH"
FIELDS = ("magic version size thread_magic all_threads cpus cpu_stride cpus_max "
          "cpu_current cpu_idle cpu_online t_magic t_id t_state t_name t_name_len "
          "t_ctx_sp t_all_node t_policy t_prio t_runtime t_deadline t_period t_cpu "
          "t_on_cpu t_stack_lo t_stack_size t_fn frame_size ra_off sp_reg pc_reg "
          "gregs").split()
MAGIC = 0x5444424f
NOREG = 0xffff


class ProxyError(Exception):
    pass


def checksum(body):
    return "%02x" % (sum(body) & 0xff)


TRACE = os.environ.get("TAKT_GDBPROXY_TRACE")     # a file: every packet, for debugging


def trace(direction, body):
    if TRACE:
        with open(TRACE, "a") as f:
            f.write("%s %r\n" % (direction, body[:200]))


def frame(body):
    return b"$" + body + b"#" + checksum(body).encode()


class PacketReader:
    """gdb-remote packets from a socket; acks (+/-) dropped, ^C returned as b'\\x03'.
    A packet whose checksum is wrong or that has no '#' within MAX is dropped."""
    MAX = 1 << 20

    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def read(self):
        while True:
            while self.buf[:1] in (b"+", b"-"):
                self.buf = self.buf[1:]
            if self.buf[:1] == b"\x03":
                self.buf = self.buf[1:]
                return b"\x03"
            start = self.buf.find(b"$")
            if start > 0:
                self.buf = self.buf[start:]     # garbage before a packet
                continue
            end = self.buf.find(b"#")
            if start == 0 and end > 0 and len(self.buf) >= end + 3:
                body, csum = self.buf[1:end], self.buf[end + 1:end + 3]
                self.buf = self.buf[end + 3:]
                if csum.decode("ascii", "replace").lower() == checksum(body):
                    trace("<", body)
                    return body
                continue
            if start < 0 and self.buf:
                self.buf = b""                  # no packet start: all garbage
            if len(self.buf) > self.MAX:
                self.buf = b""
            data = self.sock.recv(65536)
            if not data:
                return None
            self.buf += data


def elf_symbol(elf, name):
    out = subprocess.run(["nm", elf], capture_output=True, text=True).stdout
    m = re.search(r"^([0-9a-fA-F]+) [A-Za-z] %s$" % re.escape(name), out, re.M)
    if not m:
        raise ProxyError("%s has no symbol %s (a kernel without the offsets table)"
                         % (elf, name))
    return int(m.group(1), 16)


class Target:
    """QEMU's side: synchronous request/response while the target is stopped."""

    def __init__(self, sock):
        self.sock, self.reader = sock, PacketReader(sock)

    def request(self, body):
        trace(">q", body)
        self.sock.sendall(frame(body))
        while True:
            r = self.reader.read()
            if r is None:
                raise ProxyError("QEMU closed the connection")
            self.sock.sendall(b"+")
            if r[:1] == b"T" and body != b"?":
                continue        # the stop QEMU announces when gdb attaches to a running system
            if not r.startswith(b"O") or r == b"OK":
                return r

    def mem(self, addr, n):
        """n bytes at addr, or None when QEMU cannot read them."""
        if addr < 0 or addr >= 1 << 64 or n <= 0:
            return None
        r = self.request(b"m%x,%x" % (addr, n))
        if r.startswith(b"E") or len(r) != 2 * n:
            return None
        try:
            return bytes.fromhex(r.decode())
        except ValueError:
            return None

    def u(self, addr, size):
        b = self.mem(addr, size)
        return None if b is None else int.from_bytes(b, "little")


class Kernel:
    """The thread list as the offsets table describes it."""

    def __init__(self, target, table_addr):
        self.t = target
        raw = target.mem(table_addr, struct.calcsize(HDR))
        if raw is None:
            raise ProxyError("cannot read takt_debug_offsets at 0x%x" % table_addr)
        self.o = dict(zip(FIELDS, struct.unpack(HDR, raw)))
        if self.o["magic"] != MAGIC or self.o["version"] != 1:
            raise ProxyError("takt_debug_offsets: bad magic 0x%x or version %d"
                             % (self.o["magic"], self.o["version"]))
        n = self.o["gregs"]
        regs = target.mem(table_addr + struct.calcsize(HDR), 2 * n)
        if regs is None:
            raise ProxyError("cannot read takt_debug_offsets' register map")
        self.frame_reg = list(struct.unpack("<%dH" % n, regs))

    def threads(self):
        """[(tid, address)] from the list, then each online CPU's idle thread."""
        o, out, seen = self.o, [], set()
        head = o["all_threads"]
        node = self.t.u(head, 8)
        while node not in (None, head) and len(out) < MAX_THREADS:
            th = node - o["t_all_node"]
            if th in seen or self.t.u(th + o["t_magic"], 4) != o["thread_magic"]:
                break
            seen.add(th)
            out.append(th)
            node = self.t.u(node, 8)
        for c in range(min(o["cpus_max"], 64)):
            base = o["cpus"] + c * o["cpu_stride"]
            if not self.t.u(base + o["cpu_online"], 1):
                continue
            idle = self.t.u(base + o["cpu_idle"], 8)
            if idle and idle not in seen and \
                    self.t.u(idle + o["t_magic"], 4) == o["thread_magic"]:
                seen.add(idle)
                out.append(idle)
        res = []
        for th in out:
            tid = self.t.u(th + o["t_id"], 4)
            if tid is not None:
                res.append((tid + TID_BASE, th))
        return res

    def running_cpu(self, th):
        """The CPU th is current on, or None when switched out."""
        o = self.o
        for c in range(min(o["cpus_max"], 64)):
            base = o["cpus"] + c * o["cpu_stride"]
            if self.t.u(base + o["cpu_online"], 1) and \
                    self.t.u(base + o["cpu_current"], 8) == th:
                return c
        return None

    def describe(self, th):
        o = self.o
        name = self.t.mem(th + o["t_name"], o["t_name_len"]) or b"?"
        name = name.split(b"\0")[0].decode("ascii", "replace")
        state = STATES.get(self.t.u(th + o["t_state"], 4), "?")
        pol = self.t.u(th + o["t_policy"], 4)
        cpu = self.t.u(th + o["t_cpu"], 1)
        run = self.running_cpu(th)
        if run is not None:
            state = "running"
        if pol == 6:
            params = "DEADLINE runtime=%s deadline=%s period=%s" % tuple(
                self.t.u(th + o[k], 8) for k in ("t_runtime", "t_deadline", "t_period"))
        else:
            prio = self.t.u(th + o["t_prio"], 4)
            params = "%s prio=%s" % (POLICIES.get(pol, "policy%s" % pol),
                                     None if prio is None else struct.unpack(
                                         "<i", struct.pack("<I", prio))[0])
        return "%s %s %s cpu%s" % (name, state, params, cpu)

    def saved_regs(self, th):
        """{gdb reg number: value} of a switched-out thread, or None."""
        o = self.o
        sp = self.t.u(th + o["t_ctx_sp"], 8)
        if not sp:
            return None
        fr = self.t.mem(sp, o["frame_size"])
        if fr is None:
            return None
        regs = {}
        for n, off in enumerate(self.frame_reg):
            if off != NOREG and off + 8 <= len(fr):
                regs[n] = int.from_bytes(fr[off:off + 8], "little")
        regs[o["sp_reg"]] = sp + o["frame_size"]
        regs[o["pc_reg"]] = int.from_bytes(fr[o["ra_off"]:o["ra_off"] + 8], "little")
        return regs


class Proxy:
    def __init__(self, gdb_sock, qemu_sock, table_addr):
        self.g, self.greader = gdb_sock, PacketReader(gdb_sock)
        self.t = Target(qemu_sock)
        self.table_addr = table_addr
        self.kernel = None
        self.sel = None             # Hg thread (gdb id), None: the stopped CPU's
        self.stopped = None         # gdb id of the thread the last stop reported
        self.noack = False

    def k(self):
        if self.kernel is None:
            self.kernel = Kernel(self.t, self.table_addr)
        return self.kernel

    def send(self, body):
        trace(">g", body)
        self.g.sendall(frame(body))

    def stop_tid(self, reply):
        """Rewrite a stop reply's thread:CPU into the Takt thread on that CPU."""
        m = re.search(rb"thread:([0-9a-fA-F]+);", reply)
        if not m or not reply.startswith(b"T"):
            return reply
        cpu = int(m.group(1), 16) - 1
        try:
            o = self.k().o
            th = self.t.u(o["cpus"] + cpu * o["cpu_stride"] + o["cpu_current"], 8)
            tid = th and self.t.u(th + o["t_id"], 4)
        except ProxyError:
            return reply
        if not tid:
            return reply
        self.sel, self.stopped = None, tid + TID_BASE
        return reply[:m.start(1)] + b"%x" % (tid + TID_BASE) + reply[m.end(1):]

    def cpu_of(self, m):
        """':tid' of a vCont action as ':cpu' (QEMU's id, CPU number + 1)."""
        tid = int(m.group(2) if m.lastindex == 2 else m.group(1), 16)
        if tid < TID_BASE:
            return b":%x" % tid
        th = self.thread_addr(tid)
        cpu = th and self.k().running_cpu(th)
        if cpu is None:
            cpu = (th and self.t.u(th + self.k().o["t_cpu"], 1)) or 0
        return b":%x" % (cpu + 1)

    def thread_addr(self, tid):
        for t, th in self.k().threads():
            if t == tid:
                return th
        return None

    def regs_packet(self, tid):
        """'g' reply for gdb thread tid, or None to forward (live registers)."""
        th = self.thread_addr(tid)
        if th is None:
            return b"E01"
        cpu = self.k().running_cpu(th)
        if cpu is not None:
            self.t.request(b"Hg%x" % (cpu + 1))
            return self.t.request(b"g")
        live = self.t.request(b"g")     # the layout and length to fill in
        regs = self.k().saved_regs(th)
        if regs is None or live.startswith(b"E"):
            return b"E02"
        out = bytearray(b"x" * len(live))
        for n, v in regs.items():
            if 16 * (n + 1) <= len(out):
                out[16 * n:16 * (n + 1)] = v.to_bytes(8, "little").hex().encode()
        return bytes(out)

    def handle(self, p):
        """Our answer to gdb's packet p, or None to forward it."""
        if p == b"qfThreadInfo":
            ts = self.k().threads()
            return b"m" + b",".join(b"%x" % t for t, _ in ts) if ts else b"l"
        if p == b"qsThreadInfo":
            return b"l"
        if p.startswith(b"qThreadExtraInfo,"):
            th = self.thread_addr(int(p.split(b",")[1], 16))
            text = self.k().describe(th) if th else "gone"
            return text.encode().hex().encode()
        if p == b"qC":
            cur = self.sel or self.stopped
            return None if cur is None else b"QC%x" % cur
        if p.startswith(b"Hg"):
            tid = int(p[2:], 16) if p[2:] not in (b"", b"-1") else 0
            if tid in (0,) or tid < TID_BASE:
                self.sel = None
                return None
            if self.thread_addr(tid) is None:
                return b"E01"
            self.sel = tid
            return b"OK"
        if p.startswith(b"T"):
            tid = int(p[1:], 16)
            return None if tid < TID_BASE else (
                b"OK" if self.thread_addr(tid) is not None else b"E01")
        if p == b"g" and self.sel is not None:
            return self.regs_packet(self.sel)
        if p.startswith(b"p") and self.sel is not None:
            n = int(p[1:], 16)
            g = self.regs_packet(self.sel)
            if g.startswith(b"E") or 16 * (n + 1) > len(g) or n >= self.k().o["gregs"]:
                return b"E03" if g.startswith(b"E") else None
            return g[16 * n:16 * (n + 1)]
        if p[:1] in (b"G", b"P") and self.sel is not None:
            return b"E04"           # a switched-out thread's registers are read-only
        return None

    def forward(self, p):
        if p == b"\x03":
            self.t.sock.sendall(p)
            return
        if p.startswith(b"vCont;") or p[:1] in (b"c", b"s"):
            self.sel = None
            p = re.sub(rb":([0-9a-fA-F]+)", self.cpu_of, p) if p.startswith(b"vCont;") else p
            self.t.sock.sendall(frame(p))
            self.kernel = None          # memory changes while it runs
            return self.reply_when_stopped()
        if p.startswith(b"Hc") and re.fullmatch(rb"[0-9a-fA-F]+", p[2:]):
            p = b"Hc" + self.cpu_of(re.match(rb"()([0-9a-fA-F]+)", p[2:]))[1:]
        if p == b"QStartNoAckMode":
            self.send(b"")              # keep acking: simpler and always correct
            return
        if p.startswith(b"qSupported"):     # QEMU then answers without pPID.TID too
            p = p.replace(b"multiprocess+", b"multiprocess-")
        r = self.t.request(p)
        if p.startswith(b"qSupported"):
            # plain thread ids (no pPID.TID) and the list from qfThreadInfo
            r = r.replace(b";qXfer:threads:read+", b"").replace(b";multiprocess+", b"")
        if p == b"?":
            r = self.stop_tid(r)
        self.send(r)

    def reply_when_stopped(self):
        """Relay what QEMU says until its stop reply; ^C from gdb goes through."""
        done = threading.Event()

        def relay_interrupts():
            while not done.is_set():
                try:
                    self.g.settimeout(0.2)
                    data = self.g.recv(1)
                except socket.timeout:
                    continue
                except OSError:
                    return
                finally:
                    self.g.settimeout(None)
                if not data:
                    return
                if data == b"\x03":
                    self.t.sock.sendall(data)
        th = threading.Thread(target=relay_interrupts, daemon=True)
        th.start()
        try:
            while True:
                r = self.t.reader.read()
                if r is None:
                    raise ProxyError("QEMU closed the connection")
                self.t.sock.sendall(b"+")
                if r[:1] in (b"T", b"S", b"W", b"X"):
                    break
                self.send(r)            # console output packets
        finally:
            done.set()
            th.join()
        self.send(self.stop_tid(r) if r.startswith(b"T") else r)

    def serve(self):
        while True:
            p = self.greader.read()
            if p is None:
                return
            if p != b"\x03":
                self.g.sendall(b"+")
            try:
                r = None if p == b"\x03" else self.handle(p)
            except (ValueError, IndexError):
                r = b"E05"              # a malformed packet: gdb gets an error
            if r is None:
                self.forward(p)
            else:
                self.send(r)


def serve(listen_path, elf):
    """Listen for gdb on listen_path; the offsets table's address from elf."""
    table = elf_symbol(elf, "takt_debug_offsets")
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(listen_path)
    srv.listen(1)
    return srv, table


def run(srv, qemu_path, table):
    g, _ = srv.accept()
    q = socket.socket(socket.AF_UNIX)
    try:
        q.connect(qemu_path)
        Proxy(g, q, table).serve()
    except (ProxyError, OSError) as e:
        print("takt_gdbproxy: %s" % e, file=sys.stderr)
    finally:
        g.close()
        q.close()


def main(argv):
    if len(argv) != 3:
        print("usage: takt_gdbproxy.py LISTEN-SOCKET QEMU-SOCKET takt.elf", file=sys.stderr)
        return 2
    try:
        srv, table = serve(argv[0], argv[2])
    except (ProxyError, OSError) as e:
        print("takt_gdbproxy: %s" % e, file=sys.stderr)
        return 1
    run(srv, argv[1], table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
