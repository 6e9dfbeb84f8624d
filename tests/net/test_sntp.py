"""Wall-clock time (net/sntp.c, kernel/realtime.c) against a real NTP server: Debian's
chronyd serving on a loopback port (`port N`, `local stratum 8`, never touching the
host's clock: -x). The guest (tests/target/apps/sntp_app, ntp=10.0.2.2:N) says it
synced, its CLOCK_REALTIME then is within 5 s of the host's, a log line logged after
carries an RFC 3339 time (one never synced carries seconds since boot), and /metrics says
takt_time_synced{source="sntp"} 1 and passes promtool. Without ntp=, the server DHCP
names (option 42) is used: the guest on a tap device in a network namespace of the
test's own, with Debian's dnsmasq as DHCP server and chronyd there. A bad ntp= is named.

Every wait is on a console line, a process or the server's answer, with a timeout."""

import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

from guest import Guest, GuestError, free_port
from netns import Netns
from checks import check, parse_args, run_boots, require_promtool

RFC3339_LINE = (r"^\[20\d\d-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-6]\d\.\d{6}Z\] #\d+ notice app: "
                r"hello with a wall-clock time$")


# One NTP v4 client request; exit status 0 when a server with a time answers
# (the server's readiness). Run by python3 -c, inside a test host's namespace or not.
NTP_QUERY = """
import socket, struct, sys
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.settimeout(0.5)
    s.sendto(b"\\x23" + b"\\0" * 47, (sys.argv[1], int(sys.argv[2])))
    try:
        data, _ = s.recvfrom(512)
    except OSError:
        sys.exit(1)
    sys.exit(0 if len(data) >= 48 and struct.unpack("!I", data[40:44])[0] != 0 else 1)
"""


class Chrony:
    """chronyd -d -x serving on addr:port, in the host's network or a Netns."""

    def __init__(self, port, addr="127.0.0.1", netns=None):
        self.dir = tempfile.mkdtemp(prefix="takt-chrony-")
        self.port, self.addr, self.netns, self.proc = port, addr, netns, None
        self.conf = os.path.join(self.dir, "chrony.conf")
        with open(self.conf, "w") as f:
            f.write("port %d\nbindaddress %s\nallow %s\nlocal stratum 8\n"
                    "driftfile %s/drift\npidfile %s/pid\ncmdport 0\n"
                    % (port, addr, addr if not netns else "all", self.dir, self.dir))

    def start(self, timeout=30):
        args = ["chronyd", "-d", "-x", "-f", self.conf]
        kw = dict(stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        self.proc = self.netns.popen(args, **kw) if self.netns else subprocess.Popen(args, **kw)
        end = time.monotonic() + timeout
        while not self.answers():
            if self.proc.poll() is not None or time.monotonic() > end:
                raise GuestError("chronyd does not answer NTP on %s:%d" % (self.addr, self.port))

    def answers(self):
        wrap = self.netns.wrap() if self.netns else []
        return subprocess.run(wrap + [sys.executable, "-c", NTP_QUERY, self.addr,
                                      str(self.port)], timeout=30).returncode == 0

    def close(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


def metrics(port):
    out = subprocess.run(["curl", "-sS", "--max-time", "30",
                          "http://127.0.0.1:%d/metrics" % port], capture_output=True, timeout=40)
    return out.stdout.decode("utf-8", "replace")


def run_synced(build_dir, promtool):
    port = free_port()
    ntp = Chrony(port)
    try:
        ntp.start()
        with Guest(build_dir, forwards=[80], typing=True,
                   append="ntp=10.0.2.2:%d" % port) as g:
            g.wait_for(r"^sntp: synced to 10\.0\.2\.2: 20\d\d-\S+Z \(step -?\d+ ms\)$", timeout=120)
            m = g.wait_for(r"^sntp app: synced: unix (\d+)\.(\d{9}), step (-?\d+) ms$", timeout=120)
            guest_time = int(m.group(1)) + int(m.group(2)) / 1e9
            check("realtime_within_5s_of_host", abs(guest_time - time.time()) < 5,
                  "guest %.3f host %.3f" % (guest_time, time.time()))
            check("log_after_sync_has_rfc3339_time", bool(g.wait_for(RFC3339_LINE, timeout=60)))
            page = metrics(g.port(80))
            check("metrics_synced_by_sntp",
                  re.search(r'^takt_time_synced\{source="sntp"\} 1$', page, re.M) is not None,
                  page[-500:])
            check("metrics_last_step", re.search(r"^takt_time_last_step_seconds -?\d+\.\d{9}$",
                                                 page, re.M) is not None)
            with tempfile.NamedTemporaryFile("w", suffix=".prom") as f:
                f.write(page)
                f.flush()
                p = subprocess.run([promtool, "check", "metrics"], stdin=open(f.name),
                                   capture_output=True, text=True)
            check("metrics_promtool", p.returncode == 0, p.stdout + p.stderr)
            g.wait_for(r"^sntp app: type a line to end$")
            g.type("bye\n")
            g.wait_exit(timeout=60)
    finally:
        ntp.close()


def run_dhcp(build_dir):
    """Without ntp=, the NTP server that DHCP names (option 42): the guest on a tap
    device in a test host's network namespace, with dnsmasq as its DHCP server and
    chronyd on port 123 there."""
    with Netns() as ns:
        ns.dhcp_server("10.213.0.10", "10.213.0.50", ["option:ntp-server," + ns.addr])
        ntp = Chrony(123, ns.addr, ns)
        try:
            ntp.start()
            with Guest(build_dir, forwards=[], typing=True, netdev=ns.netdev(),
                       wrap=ns.wrap()) as g:
                g.wait_for(r"^net: net0 bound 10\.213\.0\.\d+/24 .*\(dhcp, ", timeout=120)
                g.wait_for(r"^sntp: synced to 10\.213\.0\.1 \(DHCP's NTP server\): "
                           r"20\d\d-\S+Z \(step -?\d+ ms\)$", timeout=120)
                m = g.wait_for(r"^sntp app: synced: unix (\d+)\.(\d{9}), step (-?\d+) ms$",
                               timeout=120)
                guest_time = int(m.group(1)) + int(m.group(2)) / 1e9
                check("dhcp_ntp_server_synced", abs(guest_time - time.time()) < 5,
                      "guest %.3f host %.3f" % (guest_time, time.time()))
                g.wait_for(r"^sntp app: type a line to end$")
                g.type("bye\n")
                g.wait_exit(timeout=60)
        finally:
            ntp.close()


def run_bad(build_dir):
    with Guest(build_dir, forwards=[], append="ntp=10.0.2.2:0") as g:
        g.wait_for(r"^sntp: ntp=10\.0\.2\.2:0 ignored: the port is a number 1\.\.65535$",
                   timeout=90)
        check("bad_ntp_named", True)
        # never synced (a fast server can answer before main's first line,
        # so the unsynced format is checked here)
        g.wait_for(r"^\[\d+\.\d{6}\] #\d+ notice app: before the wall clock is set$",
                   timeout=90)
        check("log_unsynced_has_boot_seconds", True)


def main():
    a = parse_args()
    for tool, pkg in (("chronyd", "chrony"), ("dnsmasq", "dnsmasq-base"), ("ip", "iproute2")):
        if not shutil.which(tool):
            check(tool + "_installed", False, "no %s: ./takt setup installs %s" % (tool, pkg))
            return 1
    promtool = require_promtool()
    if not promtool:
        return 1
    return run_boots("sntp", (("synced", run_synced, (a.build_dir, promtool)),
                              ("dhcp", run_dhcp, (a.build_dir,)),
                              ("bad", run_bad, (a.build_dir,))), (GuestError, OSError, ValueError, subprocess.SubprocessError))


if __name__ == "__main__":
    sys.exit(main())
