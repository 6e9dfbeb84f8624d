"""Addressing (tests/target/apps/net_sockets): DHCP from QEMU's user network,
a static address from the bootargs and from the board DT (bootargs win), and
bad settings, net=off and a missing NIC, each refused with a message naming
the setting and the network left down (the app exits 3)."""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

from guest import Guest, GuestError
from checks import check, failures
from peers import Echo

NOT_BOUND = 3



def boot(build_dir, append, expect, status, dtb=None, board=None, nic=True, name=""):
    extra = []
    if dtb:
        extra = ["-initrd", dtb] if board == "qemu-microvm-x86_64" else ["-dtb", dtb]
    try:
        with Guest(build_dir, forwards=[], append=append, extra=extra, nic=nic) as g:
            for rx in expect:
                g.wait_for(rx, timeout=60)
            got = g.wait_exit(90)
            check(name, got == status, "exit status %s, expected %s" % (got, status))
    except GuestError as e:
        check(name, False, str(e))


def link_cycle(build_dir):
    """The link is pulled and plugged back (QEMU's set_link): both logged."""
    try:
        with Guest(build_dir, forwards=[], append="hold", monitor=True) as g:
            g.wait_for(r"^holding$")
            n = len(g.output())
            g.hmp("set_link n0 off")
            g.wait_for(r"^net: net0 link down$", timeout=30, start=n)
            n = len(g.output())
            g.hmp("set_link n0 on")
            g.wait_for(r"^net: net0 link up$", timeout=30, start=n)
            check("link_down_and_up_noticed", True)
    except (GuestError, OSError) as e:
        check("link_down_and_up_noticed", False, str(e))


def board_nic_named(build_dir):
    with open(os.path.join(build_dir, "run.json")) as f:
        return bool(json.load(f).get("nic"))


def dt_with(build_dir, tmp, props):
    """A copy of the board DTB with /chosen string properties set (fdtput)."""
    out = os.path.join(tmp, "net-%d.dtb" % len(os.listdir(tmp)))
    with open(os.path.join(build_dir, "board.dtb"), "rb") as src, open(out, "wb") as dst:
        dst.write(src.read())
    for key, value in props.items():
        subprocess.run(["fdtput", "-t", "s", out, "/chosen", key, value], check=True)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--board", required=True)
    a = ap.parse_args()
    b = a.build_dir
    echo = Echo()
    tmp_keep = tempfile.mkdtemp(prefix="takt-net-")
    peer = "echo=10.0.2.2:%d" % echo.port
    bound = r"^net: net0 bound "
    try:
        boot(b, "", [bound + r"10\.0\.2\.15/24 gw 10\.0\.2\.2 dns 10\.0\.2\.3 \(dhcp, \d+ us\)$",
                     r"^address 10\.0\.2\.15 \(dhcp\), network threads at FIFO 20$"], 0,
             name="dhcp_from_qemu_user_net")
        boot(b, "net.ip=10.0.2.77/24 net.gw=10.0.2.2 net.dns=10.0.2.3 net.prio=33 " + peer,
             [bound + r"10\.0\.2\.77/24 gw 10\.0\.2\.2 dns 10\.0\.2\.3 \(static, \d+ us\)$",
              r"^address 10\.0\.2\.77 \(static\), network threads at FIFO 33$",
              r"^PASS tcp_send_recv$", r"^\d+ passed, 0 failed$"], 0,
             name="static_from_bootargs_talks_tcp")
        with tempfile.TemporaryDirectory() as tmp:
            dt = dt_with(b, tmp, {"takt,net-ip": "10.0.2.88/24", "takt,net-gateway": "10.0.2.2"})
            boot(b, peer, [bound + r"10\.0\.2\.88/24 gw 10\.0\.2\.2 dns 0\.0\.0\.0 \(static",
                           r"^\d+ passed, 0 failed$"], 0, dtb=dt, board=a.board,
                 name="static_from_dt_chosen")
            boot(b, "net.ip=10.0.2.99/24 net.gw=10.0.2.2",
                 [bound + r"10\.0\.2\.99/24 gw 10\.0\.2\.2 "], 0, dtb=dt, board=a.board,
                 name="bootargs_win_over_dt")
            bad_dt = dt_with(b, tmp, {"takt,net-ip": "10.0.2/24"})
            boot(b, "", [r'^net: takt,net-ip "10\.0\.2/24": not an IPv4 address/prefix',
                         r"^not bound: -22$"], NOT_BOUND, dtb=bad_dt, board=a.board,
                 name="bad_dt_address_refused")
        bad = [
            ("net.ip=10.0.2.300/24", r'^net: net\.ip "10\.0\.2\.300/24": not an IPv4'),
            ("net.ip=10.0.2.15", r'^net: net\.ip "10\.0\.2\.15": not an IPv4 address/prefix'),
            ("net.ip=10.0.2.15/33", r'^net: net\.ip "10\.0\.2\.15/33": '),
            ("net.gw=10.0.2.2", r'^net: net\.gw "10\.0\.2\.2": a gateway needs a static address'),
            ("net.ip=10.0.2.15/24 net.dns=1.2.3", r'^net: net\.dns "1\.2\.3": not an IPv4'),
            ("net.prio=0", r'^net: net\.prio "0": a FIFO priority 1\.\.99'),
            ("net.hostname=-gw", r'^net: net\.hostname "-gw": 1-63 letters'),
            ("net=on", r'^net: net "on": the only value is "off"'),
        ]
        for args, rx in bad:
            boot(b, args, [rx + r".*; the network stays down$", r"^not bound: -22$"], NOT_BOUND,
                 name="refused " + args)
        link_cycle(b)
        boot(b, "net=off", [r"^net: off \(net=off\)$", r"^not bound: -19$"], NOT_BOUND,
             name="net_off")
        # A board whose NIC is part of the SoC (run.json "nic": the ZCU102's GEM) has it
        # whether QEMU connects it or not: there the DT disables it instead.
        no_nic_dt = None
        if board_nic_named(b):
            alias = subprocess.run(["fdtget", os.path.join(b, "board.dtb"), "/aliases",
                                    "ethernet0"], capture_output=True, text=True, check=True)
            no_nic_dt = dt_with(b, tmp_keep, {})
            subprocess.run(["fdtput", "-t", "s", no_nic_dt, alias.stdout.strip(), "status",
                            "disabled"], check=True)
        boot(b, "", [r"^net: no network device; the network stays down$", r"^not bound: -19$"],
             NOT_BOUND, nic=False, dtb=no_nic_dt, board=a.board, name="no_nic")
    finally:
        echo.stop()
        shutil.rmtree(tmp_keep, ignore_errors=True)
    print("%d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
