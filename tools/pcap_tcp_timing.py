#!/usr/bin/env python3
"""TCP timing at a guest's NIC, from a QEMU filter-dump capture: how long the
guest took to answer each SYN (SYN -> SYN-ACK) and each request (first client
data -> first server data), per connection, as percentiles. What the host's
side adds (wrk's scheduling, QEMU's slirp thread) is not in these figures, so
they tell the guest's share of a wall-clock latency tail.

    ./takt run gateway -- -object filter-dump,id=d0,netdev=n0,file=/tmp/n.pcap
    (load it, e.g. wrk -c8 -d5s -H 'Connection: close' http://127.0.0.1:8080/)
    python3 tools/pcap_tcp_timing.py /tmp/n.pcap [--server 10.0.2.15]

Standard library only; Ethernet + IPv4 + TCP, pcap (not pcapng) as QEMU writes.
"""
import argparse
import socket
import struct
import sys


def packets(path):
    """(time s, src ip, dst ip, src port, dst port, flags, payload length)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24 or data[:4] not in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4"):
        raise ValueError("%s is not a pcap file" % path)
    endian = "<" if data[:4] == b"\xd4\xc3\xb2\xa1" else ">"
    off = 24
    while off + 16 <= len(data):
        sec, usec, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        frame, off = data[off:off + incl], off + incl
        if len(frame) < 54 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
            continue
        ip = frame[14:]
        ihl = (ip[0] & 15) * 4
        tcp = ip[ihl:]
        if len(tcp) < 20:
            continue
        total = struct.unpack(">H", ip[2:4])[0]
        sport, dport = struct.unpack(">HH", tcp[:4])
        yield (sec + usec / 1e6, socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20]),
               sport, dport, tcp[13], total - ihl - (tcp[12] >> 4) * 4)


def connections(path, server):
    """One dict per connection to server: syn, synack, req, resp times."""
    live, done = {}, []
    for t, src, dst, sport, dport, flags, length in packets(path):
        from_client = dst == server
        key = (src, sport, dport) if from_client else (dst, dport, sport)
        if from_client and flags & 0x02:            # SYN: a new connection
            if key in live:
                done.append(live[key])
            live[key] = {"syn": t}
            continue
        c = live.get(key)
        if c is None:
            continue
        if not from_client and flags & 0x02:
            c.setdefault("synack", t)
        elif length > 0:
            c.setdefault("req" if from_client else "resp", t)
    return done + list(live.values())


def percentiles(values):
    v = sorted(values)
    n = len(v)
    return {"n": n, "p50": v[n // 2], "p99": v[min(n - 1, int(n * 0.99))], "max": v[-1]} if n else {"n": 0}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pcap")
    ap.add_argument("--server", default="10.0.2.15", help="the guest's address")
    a = ap.parse_args(argv)
    try:
        conns = connections(a.pcap, a.server)
    except (OSError, ValueError) as e:
        print("pcap_tcp_timing: %s" % e, file=sys.stderr)
        return 1
    print("%d connections to %s" % (len(conns), a.server))
    for name, first, second in (("SYN -> SYN-ACK", "syn", "synack"),
                                ("request -> response", "req", "resp")):
        p = percentiles([c[second] - c[first] for c in conns if first in c and second in c])
        if p["n"]:
            print("%-20s n %6d  p50 %8.1f us  p99 %8.1f us  max %9.1f us"
                  % (name, p["n"], p["p50"] * 1e6, p["p99"] * 1e6, p["max"] * 1e6))
    return 0


if __name__ == "__main__":
    sys.exit(main())
