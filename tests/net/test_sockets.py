"""Sockets under their POSIX names (tests/target/apps/net_sockets) against
host peers: TCP/UDP echo, a refused port, DNS names through a DNS server on
the host's loopback, and a host client connecting to a guest listener."""

import argparse
import socket
import sys

from guest import Guest, GuestError
from peers import Dns, Echo, closed_port

GUEST_PORT = 7


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
    args = ("net.dns=10.0.2.2 echo=10.0.2.2:%d refused=10.0.2.2:%d name=echo.takt.test "
            "nxname=nowhere.takt.test listen=%d" % (echo.port, closed_port(), GUEST_PORT))
    try:
        with Guest(a.build_dir, forwards=[GUEST_PORT], append=args) as g:
            g.wait_for(r"^net: net0 bound 10\.0\.2\.15/24 gw 10\.0\.2\.2 dns 10\.0\.2\.2 \(dhcp")
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
            return 0 if ok and status == 0 and dns.queries else 1
    except GuestError as e:
        print("FAIL %s" % e)
        return 1
    finally:
        echo.stop()
        dns.stop()


if __name__ == "__main__":
    sys.exit(main())
