"""tools/takt_gdbproxy.py on bad input: garbage and bad checksums between packets
are dropped without losing the next good packet, and a corrupt thread list in
kernel memory (a cycle, a bad magic, unreadable memory) gives fewer threads,
never a hang. The target is a stand-in memory map (the proxy's logic only; the
real QEMU path is the gdb_thread_list target test)."""
import os
import socket
import struct
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
sys.dont_write_bytecode = True
import takt_gdbproxy as gp  # noqa: E402

TABLE, HEAD, CPUS = 0x1000, 0x2000, 0x3000
OFF = dict(t_magic=0, t_id=4, t_state=8, t_name=16, t_name_len=16, t_ctx_sp=32,
           t_all_node=40, t_policy=56, t_prio=60, t_runtime=64, t_deadline=72,
           t_period=80, t_cpu=88, t_on_cpu=89, t_stack_lo=96, t_stack_size=104,
           t_fn=112)


class FakeTarget(gp.Target):
    """Memory as a dict of byte addresses; unmapped bytes do not read."""

    def __init__(self):
        self.memory = {}

    def put(self, addr, data):
        for i, b in enumerate(data):
            self.memory[addr + i] = b

    def mem(self, addr, n):
        try:
            return bytes(self.memory[addr + i] for i in range(n))
        except KeyError:
            return None


def kernel_with(threads, link=None):
    """A target holding the offsets table and a list of (addr, id, name)."""
    t = FakeTarget()
    vals = dict(magic=gp.MAGIC, version=1, size=0, thread_magic=0x54616b74,
                all_threads=HEAD, cpus=CPUS, cpu_stride=64, cpus_max=1, cpu_current=8,
                cpu_idle=16, cpu_online=24, frame_size=160, ra_off=88, sp_reg=31,
                pc_reg=32, gregs=33, **OFF)
    t.put(TABLE, struct.pack(gp.HDR, *(vals[f] for f in gp.FIELDS)))
    t.put(TABLE + struct.calcsize(gp.HDR), struct.pack("<33H", *([0xffff] * 33)))
    t.put(CPUS, bytes(64))
    addrs = [a for a, _, _ in threads]
    nodes = [a + OFF["t_all_node"] for a in addrs]
    nexts = link or (nodes[1:] + [HEAD])
    t.put(HEAD, struct.pack("<Q", nodes[0] if nodes else HEAD))
    for (a, tid, name), nxt in zip(threads, nexts):
        t.put(a, struct.pack("<II", 0x54616b74, tid) + bytes(8) + name.ljust(16, b"\0"))
        t.put(a + 32, bytes(8))
        t.put(a + OFF["t_all_node"], struct.pack("<QQ", nxt, 0))
    return t


class ThreadList(unittest.TestCase):
    def test_well_formed_list(self):
        t = kernel_with([(0x4000, 1, b"main"), (0x5000, 3, b"worker")])
        k = gp.Kernel(t, TABLE)
        self.assertEqual(k.threads(), [(1001, 0x4000), (1003, 0x5000)])
        self.assertTrue(k.describe(0x5000).startswith("worker ready"))

    def test_cycle_ends_the_walk(self):
        n0, n1 = 0x4000 + 40, 0x5000 + 40
        t = kernel_with([(0x4000, 1, b"a"), (0x5000, 2, b"b")], link=[n1, n0])
        self.assertEqual(len(gp.Kernel(t, TABLE).threads()), 2)

    def test_bad_magic_and_unmapped_next_end_the_walk(self):
        t = kernel_with([(0x4000, 1, b"a"), (0x5000, 2, b"b")], link=[0x5000 + 40, 0x9990])
        t.put(0x5000, b"\0\0\0\0")
        self.assertEqual(gp.Kernel(t, TABLE).threads(), [(1001, 0x4000)])

    def test_table_with_a_bad_magic_is_refused(self):
        t = kernel_with([])
        t.put(TABLE, b"XXXX")
        with self.assertRaisesRegex(gp.ProxyError, "bad magic"):
            gp.Kernel(t, TABLE)


class Packets(unittest.TestCase):
    def test_garbage_and_bad_checksums_are_dropped(self):
        a, b = socket.socketpair()
        with a, b:
            a.sendall(b"junk+-$g#00" + b"\x00\xff" + gp.frame(b"qC") + b"$m0,4#zz"
                      + gp.frame(b"?"))
            a.shutdown(socket.SHUT_WR)
            r = gp.PacketReader(b)
            self.assertEqual(r.read(), b"qC")
            self.assertEqual(r.read(), b"?")
            self.assertIsNone(r.read())

    def test_malformed_thread_packets_get_an_error_reply(self):
        p = gp.Proxy.__new__(gp.Proxy)
        p.kernel = gp.Kernel(kernel_with([(0x4000, 1, b"main")]), TABLE)
        p.sel = p.stopped = None
        for bad in (b"Hgzz", b"qThreadExtraInfo,", b"Tqq"):
            with self.assertRaises(ValueError):
                p.handle(bad)
        self.assertEqual(p.handle(b"Hg7777"), b"E01")
        self.assertEqual(p.handle(b"T7777"), b"E01")


if __name__ == "__main__":
    unittest.main()
