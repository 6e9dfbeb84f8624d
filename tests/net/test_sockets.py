"""Sockets under their POSIX names (tests/target/apps/net_sockets) against
host peers: TCP/UDP echo, a refused port, DNS names through a DNS server on
the host's loopback, and a host client connecting to a guest listener. First
of all, a burst of datagrams to the host before its address is in the
guest's ARP cache: every one must arrive (ARP_BURST, counted exactly)."""

import argparse
import socket
import sys

from guest import Guest, GuestError
from peers import Dns, Echo, closed_port

GUEST_PORT = 7
ARP_BURST = 8       # tests/target/apps/net_sockets/main.c


def count_burst(sock):
    """The burst datagrams received before the "end" one (None: no end)."""
    n = 0
    try:
        while True:
            data = sock.recv(64)
            if data == b"end":
                return n
            n += data.startswith(b"burst ")
    except OSError:
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--board", required=True)
    a = ap.parse_args()
    echo = Echo()
    try:
        dns = Dns({"echo.takt.test": "10.0.2.2"})
    except OSError as e:
        print("FAIL cannot run the DNS peer on 127.0.0.1:53: %s" % e)
        return 1
    burst = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    burst.bind(("127.0.0.1", 0))
    burst.settimeout(60)
    args = ("net.dns=10.0.2.2 echo=10.0.2.2:%d refused=10.0.2.2:%d name=echo.takt.test "
            "nxname=nowhere.takt.test listen=%d arpburst=10.0.2.2:%d"
            % (echo.port, closed_port(), GUEST_PORT, burst.getsockname()[1]))
    try:
        with Guest(a.build_dir, forwards=[GUEST_PORT], append=args) as g:
            g.wait_for(r"^net: net0 bound 10\.0\.2\.15/24 gw 10\.0\.2\.2 dns 10\.0\.2\.2 \(dhcp")
            g.wait_for(r"^arp burst: \d+ datagrams sent$", timeout=90)
            got = count_burst(burst)
            burst_ok = got == ARP_BURST
            print("%s arp_burst_all_delivered%s" % ("PASS" if burst_ok else "FAIL",
                  "" if burst_ok else ": %s of %d before the end marker" % (got, ARP_BURST)))
            g.wait_for(r"^listening on %d$" % GUEST_PORT, timeout=90)
            with socket.create_connection(("127.0.0.1", g.port(GUEST_PORT)), timeout=30) as c:
                c.sendall(b"line from the host\n")
                back = b""
                while True:
                    d = c.recv(100)
                    if not d:
                        break
                    back += d
            ok = back == b"line from the host\n"
            if not ok:
                print("got %r" % back)
            print("%s host_client_echoed_by_guest_listener" % ("PASS" if ok else "FAIL"))
            g.wait_for(r"^\d+ passed, 0 failed$", timeout=60)
            status = g.wait_exit(30)
            for line in g.output():
                if line.startswith(("PASS", "FAIL", "dns:")):
                    print(line)
            print("%s exit status %s" % ("PASS" if status == 0 else "FAIL", status))
            print("%s dns queries seen by the host server: %d"
                  % ("PASS" if dns.queries else "FAIL", len(dns.queries)))
            return 0 if ok and burst_ok and status == 0 and dns.queries else 1
    except GuestError as e:
        print("FAIL %s" % e)
        return 1
    finally:
        echo.stop()
        dns.stop()
        burst.close()


if __name__ == "__main__":
    sys.exit(main())
