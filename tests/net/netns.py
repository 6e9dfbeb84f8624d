"""A test host of the project's own: a network namespace holding one tap device
(with an address) that a guest's NIC attaches to, and the peers (a DHCP server,
an NTP server) run inside it. The host's own network is never touched; close()
stops the peers and deletes the namespace. Needs root (CI and ./takt test run
as root)."""

import os
import subprocess
import tempfile
import shutil

from guest import GuestError


def _ip(*args):
    p = subprocess.run(["ip"] + list(args), capture_output=True, text=True, timeout=30)
    if p.returncode:
        raise GuestError("ip %s: %s" % (" ".join(args), p.stderr.strip()))


class Netns:
    TAP = "tkt0"

    def __init__(self, addr="10.213.0.1", prefix=24):
        self.name = "takt-test-%d" % os.getpid()
        self.addr, self.prefix = addr, prefix
        self.procs = []
        self.dir = tempfile.mkdtemp(prefix="takt-netns-")
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)  # a stale one
        _ip("netns", "add", self.name)
        try:
            self.run_ip("link", "set", "lo", "up")
            self.run_ip("tuntap", "add", "dev", self.TAP, "mode", "tap")
            self.run_ip("addr", "add", "%s/%d" % (addr, prefix), "dev", self.TAP)
            self.run_ip("link", "set", self.TAP, "up")
        except GuestError:
            self.close()
            raise

    def run_ip(self, *args):
        _ip("-n", self.name, *args)

    def wrap(self):
        """The prefix that runs a command inside the namespace."""
        return ["ip", "netns", "exec", self.name]

    def netdev(self):
        """QEMU's -netdev value for netdev n0 on the tap device."""
        return "tap,id=n0,ifname=%s,script=no,downscript=no" % self.TAP

    def popen(self, args, **kw):
        p = subprocess.Popen(self.wrap() + list(args), **kw)
        self.procs.append(p)
        return p

    def dhcp_server(self, first, last, options=()):
        """dnsmasq as the namespace's DHCP server (no DNS) handing out first..last
        with the given options ("option:ntp-server,10.213.0.1")."""
        args = ["dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--port=0",
                "--interface=" + self.TAP, "--bind-interfaces", "--user=root",
                "--dhcp-range=%s,%s,255.255.255.0,1h" % (first, last),
                "--dhcp-leasefile=%s/leases" % self.dir,
                "--pid-file=%s/dnsmasq.pid" % self.dir, "--log-dhcp", "--log-facility=-", "--no-ping"]
        args += ["--dhcp-option=" + o for o in options]
        self.dhcp_log = os.path.join(self.dir, "dnsmasq.log")
        return self.popen(args, stdout=open(self.dhcp_log, "w"), stderr=subprocess.STDOUT)

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
