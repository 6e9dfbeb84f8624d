"""Boot a Takt image in QEMU with a user-mode NIC and host port forwards, and
follow its console: the harness of the network tests (tests/net/test_*.py)
and `./takt run ... gateway`. Standard library only.

    with Guest(build_dir, forwards=[80], append="net.ip=...") as g:
        g.wait_for(r"^net: net0 bound ")
        port = g.port(80)          # host port forwarded to guest port 80
        ...
    g.status                       # QEMU's exit status once stopped
"""

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time


def free_port():
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class GuestError(Exception):
    pass


# QEMU arguments that attach a board's NIC to netdev n0: run.json's "nic" (from the
# board's TAKT_QEMU_NIC in bsp/<board>/board.cmake), virtio-net when it names none.
VIRTIO_NIC = ["-device", "virtio-net-device,netdev=n0"]


def board_nic(info):
    nic = info.get("nic")
    if nic and isinstance(nic, list) and all(isinstance(a, str) for a in nic):
        return list(nic)
    return list(VIRTIO_NIC)


class Guest:
    def __init__(self, build_dir, forwards=(80,), append=None, extra=(), icount=False,
                 netdev_opts="", log=None, nic=True, monitor=False, typing=False,
                 netdev=None, wrap=(), reboot=False):
        """netdev: the -netdev for the NIC instead of QEMU's user network (with
        forwards); wrap: a command QEMU runs under (ip netns exec NS); reboot: a
        reset reboots (the board's -no-reboot left out)."""
        with open(os.path.join(build_dir, "run.json")) as f:
            self.info = json.load(f)
        self.base = [a for a in self.info["qemu"] if not (reboot and a == "-no-reboot")]
        if "-dtb" in extra and "-dtb" in self.base:    # a test's DTB replaces the board's
            i = self.base.index("-dtb")
            del self.base[i:i + 2]
        self.ports = {gp: free_port() for gp in forwards}
        fwd = "".join(",hostfwd=tcp:127.0.0.1:%d-:%d" % (hp, gp) for gp, hp in self.ports.items())
        self.cmd = list(wrap) + self.base
        if nic:
            self.cmd += ["-netdev", netdev or "user,id=n0" + fwd + netdev_opts]
            self.cmd += board_nic(self.info)
        if icount:
            self.cmd += ["-icount", "shift=0,align=off,sleep=off"]
        if append is not None:
            self.cmd += ["-append", append]
        self.monitor_path = None
        if monitor:
            self.tmp = tempfile.mkdtemp(prefix="takt-guest-")
            self.monitor_path = os.path.join(self.tmp, "monitor.sock")
            self.cmd += ["-monitor", "unix:%s,server=on,wait=off" % self.monitor_path]
        self.cmd += list(extra)
        self.lines = []
        self.cond = threading.Condition()
        self.proc = None
        self.status = None
        self.log = log
        self.typing = typing    # stdin a pipe: type() into the console

    # -- life cycle ---------------------------------------------------------------

    def start(self):
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.PIPE if self.typing
                                     else subprocess.DEVNULL)
        threading.Thread(target=self._reader, daemon=True).start()
        return self

    def _reader(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if self.log:
                self.log.write(line + "\n")
                self.log.flush()
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()
        with self.cond:
            self.status = self.proc.wait()
            self.cond.notify_all()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
        if self.proc:
            self.proc.wait()
        if self.monitor_path:
            shutil.rmtree(self.tmp, ignore_errors=True)
        return self.status

    def hmp(self, command, timeout=10):
        """Run a QEMU monitor command (Guest(monitor=True)); its output."""
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(timeout)
            s.connect(self.monitor_path)
            self._read_prompt(s)
            s.sendall(command.encode() + b"\n")
            return self._read_prompt(s)

    @staticmethod
    def _read_prompt(s):
        data = b""
        while not data.endswith(b"(qemu) "):
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        return data.decode("utf-8", "replace")

    def type(self, text):
        """Type text into the console (Guest(typing=True)); after a prompt the
        guest printed, so its UART takes it."""
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- console --------------------------------------------------------------------

    def wait_for(self, regex, timeout=60, start=0):
        """The first console line from index start matching regex (a re.Match);
        GuestError with the console's tail when it does not come or QEMU exits."""
        rx = re.compile(regex)
        deadline = time.monotonic() + timeout
        i = start
        with self.cond:
            while True:
                while i < len(self.lines):
                    m = rx.search(self.lines[i])
                    if m:
                        return m
                    i += 1
                left = deadline - time.monotonic()
                if self.status is not None or left <= 0:
                    why = ("QEMU exited with status %s" % self.status if self.status is not None
                           else "timed out after %d s" % timeout)
                    raise GuestError("waiting for /%s/: %s; console tail:\n  %s"
                                     % (regex, why, "\n  ".join(self.lines[-15:])))
                self.cond.wait(left)

    def wait_exit(self, timeout=60):
        with self.cond:
            if not self.cond.wait_for(lambda: self.status is not None, timeout):
                raise GuestError("QEMU still running after %d s; console tail:\n  %s"
                                 % (timeout, "\n  ".join(self.lines[-15:])))
        return self.status

    def output(self):
        with self.cond:
            return list(self.lines)

    def port(self, guest_port):
        return self.ports[guest_port]
