"""A booted guest for scripts (tests.yaml `script:`, tools/takt_pytest_plugin.py):
QEMU runs with its console on a pipe; send() types into it, expect() waits for a
regex in what it printed since the last match, wait() gives the exit status, and
`console` holds everything printed. A forwarded host port reaches a networked app's
port 80 (`http_port`, None for an app without a network).
"""
import json
import re
import socket
import subprocess
import threading
import time


class GuestError(AssertionError):
    """An expectation the guest did not meet (pytest shows it as a failure)."""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Guest:
    def __init__(self, qemu, net=False, log=None):
        cmd = list(qemu)
        self.http_port = None
        if net:
            self.http_port = free_port()
            cmd += ["-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:80" % self.http_port]
        self._log = open(log, "wb") if log else None
        self._out = b""
        self._pos = 0           # expect() looks from here on
        self._cv = threading.Condition()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @classmethod
    def from_run_json(cls, path, bootargs=None, icount=False, log=None):
        """Boot the image described by a build's run.json (./takt build writes it)."""
        with open(path) as f:
            info = json.load(f)
        qemu = list(info["qemu"])
        if bootargs is not None:
            qemu += ["-append", bootargs]
        if icount:
            qemu += ["-icount", "shift=0,align=off,sleep=off"]
        net = bool(info.get("net")) and "-netdev" not in qemu
        if net:
            qemu += list(info.get("nic") or [])
        return cls(qemu, net=net, log=log)

    def _read(self):
        while True:
            data = self.proc.stdout.read1(4096)
            with self._cv:
                if not data:
                    self._cv.notify_all()
                    return
                self._out += data
                if self._log:
                    self._log.write(data)
                    self._log.flush()
                self._cv.notify_all()

    @property
    def output(self):
        """Everything printed so far, as bytes."""
        with self._cv:
            return self._out

    @property
    def console(self):
        with self._cv:
            return self._out.decode("utf-8", "replace").replace("\r\n", "\n")

    def send(self, text):
        """Type text into the console (str or bytes)."""
        data = text.encode("utf-8") if isinstance(text, str) else text
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise GuestError("the guest is gone (QEMU exited %s)" % self.proc.poll())

    def expect(self, regex, timeout=10):
        """Wait until regex matches what the console printed since the last match;
        returns the match. GuestError with the console's tail after timeout seconds."""
        rx = re.compile(regex, re.M)
        end = time.monotonic() + timeout
        with self._cv:
            while True:
                text = self._out.decode("utf-8", "replace").replace("\r\n", "\n")
                m = rx.search(text, self._pos)
                if m:
                    self._pos = m.end()
                    return m
                left = end - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self._reader.is_alive()):
                    tail = "\n".join(text.rstrip("\n").split("\n")[-15:])
                    raise GuestError("no /%s/ on the console within %g s; its tail:\n%s"
                                     % (regex, timeout, tail))
                self._cv.wait(min(left, 0.5))

    def wait(self, timeout=30):
        """The exit status once QEMU ends; GuestError if it runs on past timeout."""
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise GuestError("the guest did not exit within %g s" % timeout)
        self._reader.join(5)
        return rc

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(5)
        if self._log:
            self._log.close()
            self._log = None
