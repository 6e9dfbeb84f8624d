"""tools/pcap_tcp_timing.py on hand-made captures: connections are told apart
by the SYN (ports reused), times come out per connection, and what is not a
pcap of Ethernet/IPv4/TCP is refused or skipped."""
import os
import socket
import struct
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))

import pcap_tcp_timing as ptt  # noqa: E402

GUEST, HOST = "10.0.2.15", "10.0.2.2"
SYN, SYNACK, ACK, PSH = 0x02, 0x12, 0x10, 0x18


def frame(src, dst, sport, dport, flags, payload=0):
    tcp = struct.pack(">HHIIBBHHH", sport, dport, 0, 0, 5 << 4, flags, 65535, 0, 0)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + payload, 0, 0, 64, 6, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    return b"\x52\x54\x00\x12\x34\x56" * 2 + b"\x08\x00" + ip + tcp + b"x" * payload


def pcap(records):
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
    for t, data in records:
        out += struct.pack("<IIII", int(t), int(round((t % 1) * 1e6)), len(data), len(data)) + data
    return out


class Timing(unittest.TestCase):
    def write(self, data):
        f = tempfile.NamedTemporaryFile(suffix=".pcap", delete=False)
        f.write(data)
        f.close()
        self.addCleanup(os.unlink, f.name)
        return f.name

    def test_two_connections_on_one_port(self):
        recs = []
        for base, answer in ((10.0, 0.001), (20.0, 0.004)):     # the port is reused
            recs += [(base, frame(HOST, GUEST, 5000, 80, SYN)),
                     (base + 0.0002, frame(GUEST, HOST, 80, 5000, SYNACK)),
                     (base + 0.0003, frame(HOST, GUEST, 5000, 80, PSH, 60)),
                     (base + 0.0003 + answer, frame(GUEST, HOST, 80, 5000, PSH, 175)),
                     (base + 0.01, frame(HOST, GUEST, 5000, 80, ACK))]
        conns = ptt.connections(self.write(pcap(recs)), GUEST)
        self.assertEqual(len(conns), 2)
        gaps = sorted(round(c["resp"] - c["req"], 4) for c in conns)
        self.assertEqual(gaps, [0.001, 0.004])
        self.assertTrue(all(abs(c["synack"] - c["syn"] - 0.0002) < 1e-6 for c in conns))

    def test_other_frames_skipped(self):
        arp = b"\xff" * 6 + b"\x52\x54\x00\x12\x34\x56" + b"\x08\x06" + b"\x00" * 28
        udp = bytearray(frame(HOST, GUEST, 53, 53, 0))
        udp[23] = 17
        recs = [(1.0, arp), (1.1, bytes(udp)), (1.2, b"\x00" * 10),
                (2.0, frame(HOST, GUEST, 6000, 80, SYN)), (2.1, frame(GUEST, HOST, 80, 6000, SYNACK))]
        conns = ptt.connections(self.write(pcap(recs)), GUEST)
        self.assertEqual(len(conns), 1)
        self.assertNotIn("req", conns[0])

    def test_not_a_pcap(self):
        path = self.write(b"hello, not a capture at all")
        with self.assertRaises(ValueError):
            ptt.connections(path, GUEST)
        self.assertEqual(ptt.main([path]), 1)

    def test_percentiles(self):
        p = ptt.percentiles([i / 1000 for i in range(1, 101)])
        self.assertEqual((p["n"], p["p50"], p["p99"], p["max"]), (100, 0.051, 0.1, 0.1))
        self.assertEqual(ptt.percentiles([]), {"n": 0})


if __name__ == "__main__":
    unittest.main()
