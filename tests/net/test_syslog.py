"""Remote syslog (net/syslog.c) against a real rsyslogd (Debian's rsyslog) on a
loopback port writing every message to a file (tests/target/apps/syslog_app):

- TCP (RFC 6587 octet counting): 10,000 messages arrive, every "message K" and a
  contiguous run of sequence numbers, across a stop of rsyslogd half way (the guest
  says the collector is unreachable, the test starts it again: reconnect, backoff,
  resend). Duplicates of the frames resent after the break are allowed. The boot's
  kernel lines, printed before the network was up, arrive too, first.
- UDP: 2,000 messages; the sequence numbers missing at the collector are exactly the
  guest's dropped count.
- A bad syslog= is named and ignored.

Every wait is on a console line, a process or the collector's file, with a timeout."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from guest import Guest, GuestError, free_port
from checks import check, parse_args, run_boots

LINE = re.compile(r'^(\S+) \[takt@32473 seq="(\d+)"\] (.*)$')
DONE = (r"^syslog app: done (\d+); queued (\d+) sent (\d+) resent (\d+) dropped (\d+) "
        r"reconnects (\d+); log dropped (\d+)$")


class Rsyslog:
    """rsyslogd -n with its own configuration: one input on 127.0.0.1:port and
    every message to out.log as 'APP-NAME STRUCTURED-DATA MSG'."""

    def __init__(self, tcp, port):
        self.dir = tempfile.mkdtemp(prefix="takt-rsyslog-")
        self.tcp, self.port, self.proc = tcp, port, None
        self.out = os.path.join(self.dir, "out.log")
        self.conf = os.path.join(self.dir, "rsyslog.conf")
        kind = "imtcp" if tcp else "imudp"
        with open(self.conf, "w") as f:
            f.write('global(workDirectory="%s")\nmodule(load="%s")\n'
                    'input(type="%s" address="127.0.0.1" port="%d"%s)\n'
                    'template(name="t" type="string" '
                    'string="%%APP-NAME%% %%STRUCTURED-DATA%% %%msg%%\\n")\n'
                    'action(type="omfile" file="%s" template="t" flushOnTXEnd="on")\n'
                    % (self.dir, kind, kind, port,
                       "" if tcp else ' rcvbufSize="8m"',  # a burst must not overflow it
                       self.out))

    def start(self, timeout=30):
        self.proc = subprocess.Popen(["rsyslogd", "-n", "-f", self.conf, "-i",
                                      os.path.join(self.dir, "pid")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        end = time.monotonic() + timeout
        while not self.listening():     # its socket bound: the condition waited for
            if self.proc.poll() is not None or time.monotonic() > end:
                raise GuestError("rsyslogd did not start listening on %d" % self.port)
            time.sleep(0.05)
        if not self.tcp:    # bound is not yet reading: a probe must reach the file
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                while not any("probe-" in ln for ln in self.lines()):
                    if time.monotonic() > end:
                        raise GuestError("rsyslogd on %d does not take datagrams" % self.port)
                    s.sendto(b'<14>1 - test probe - - [takt@32473 seq="0"] probe-ready',
                             ("127.0.0.1", self.port))
                    time.sleep(0.1)

    def listening(self):
        if self.tcp:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                return False
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.bind(("127.0.0.1", self.port))
                return False
            except OSError:
                return True

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)

    def lines(self):
        try:
            with open(self.out, errors="replace") as f:
                return f.read().splitlines()
        except OSError:
            return []

    def wait_for_text(self, text, timeout=60):
        end = time.monotonic() + timeout
        while not any(text in ln for ln in self.lines()):
            if time.monotonic() > end:
                return False
            time.sleep(0.1)
        return True

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def parse(lines):
    """({K of 'message K' from app}, [seq of every message], [lines not understood],
    {seq: text} of the kernel's lines)."""
    msgs, seqs, bad, kernel = set(), [], [], {}
    for ln in lines:
        m = LINE.match(ln)
        if not m:
            bad.append(ln)
            continue
        seqs.append(int(m.group(2)))
        if m.group(1) == "kernel":
            kernel[int(m.group(2))] = m.group(3)
        k = re.fullmatch(r"message (\d+)", m.group(3))
        if m.group(1) == "app" and k:
            msgs.add(int(k.group(1)))
    return msgs, seqs, bad, kernel


def finish(g):
    """The app waits for a line before it powers off (a datagram handed to its
    socket may still be on its way out of QEMU)."""
    g.wait_for(r"^syslog app: type a line to end$")
    g.type("bye\n")
    g.wait_exit(timeout=60)


def run_tcp(build_dir, count=10000):
    port = free_port()
    rs = Rsyslog(True, port)
    try:
        rs.start()
        with Guest(build_dir, forwards=[], typing=True,
                   append="syslog=10.0.2.2:%d/tcp %d" % (port, count)) as g:
            g.wait_for(r"^syslog: to 10\.0\.2\.2:%d over TCP" % port, timeout=90)
            g.wait_for(r"^syslog app: half, type a line$", timeout=600)
            rs.stop()                               # the collector goes away ...
            g.type("go\n")
            g.wait_for(r"^syslog app: \d+ logged, collector unreachable$", timeout=120)
            rs.start()                              # ... and comes back
            done = g.wait_for(DONE, timeout=900)
            arrived = rs.wait_for_text("message %d" % count)
            finish(g)
        rs.stop()
        msgs, seqs, bad, kernel = parse(rs.lines())
        first = kernel.get(1, "")
        check("tcp_boot_lines_arrive", 1 in kernel and
              any(t.startswith("boot: image at ") for t in kernel.values()) and
              any(t.startswith("syslog: to 10.0.2.2:") for t in kernel.values()),
              "the first message: %r" % first)
        missing = sorted(set(range(1, count + 1)) - msgs)
        check("tcp_all_messages_arrive", arrived and not missing,
              "%d missing, first %s" % (len(missing), missing[:10]))
        gaps = sorted(set(range(min(seqs), max(seqs) + 1)) - set(seqs)) if seqs else ["none"]
        check("tcp_sequence_contiguous", not gaps, "gaps at %s" % gaps[:10])
        check("tcp_lines_understood", not bad, "%r" % bad[:3])
        queued, sent, resent, dropped, reconnects = (int(done.group(i)) for i in range(2, 7))
        check("tcp_reconnected", reconnects >= 1, "reconnects %d" % reconnects)
        check("tcp_nothing_dropped", dropped == 0 and int(done.group(7)) == 0,
              "syslog dropped %d, log dropped %s" % (dropped, done.group(7)))
        print("  (TCP: %d lines at the collector for %d queued, %d resent after the break)"
              % (len(seqs), queued, resent), flush=True)
    finally:
        rs.close()


def run_udp(build_dir, count=2000):
    port = free_port()
    rs = Rsyslog(False, port)
    try:
        rs.start()
        with Guest(build_dir, forwards=[], typing=True,
                   append="syslog=10.0.2.2:%d/udp %d" % (port, count)) as g:
            g.wait_for(r"^syslog app: half, type a line$", timeout=600)
            g.type("go\n")
            done = g.wait_for(DONE, timeout=600)
            rs.wait_for_text("message %d" % count, timeout=30)
            finish(g)
        rs.stop()
        msgs, seqs, bad, _ = parse(rs.lines())
        queued, dropped = int(done.group(2)), int(done.group(5))
        # every message kept got the next sequence number and went to the
        # queue or the drop count: 1 .. queued + dropped
        missing = set(range(1, queued + dropped + 1)) - set(seqs)
        check("udp_gaps_equal_drop_counter", seqs and len(missing) == dropped,
              "%d missing (%s), %d dropped" % (len(missing), sorted(missing)[:8], dropped))
        check("udp_messages_arrive", len(msgs) == count - dropped,
              "%d of %d" % (len(msgs), count))
    finally:
        rs.close()


def run_bad(build_dir):
    with Guest(build_dir, forwards=[], append="syslog=10.0.2.2:99999/tcp 4") as g:
        g.wait_for(r"^syslog: syslog=10\.0\.2\.2:99999/tcp ignored: the port is a number "
                   r"1\.\.65535$", timeout=90)
        check("bad_target_named", True)


def main():
    a = parse_args()
    if not shutil.which("rsyslogd"):
        check("rsyslogd_installed", False, "no rsyslogd: ./takt setup installs rsyslog")
        return 1
    return run_boots("syslog", [(name, fn, (a.build_dir,)) for name, fn in
                                (("tcp", run_tcp), ("udp", run_udp), ("bad", run_bad))],
                     (GuestError, OSError, ValueError, subprocess.SubprocessError))


if __name__ == "__main__":
    sys.exit(main())
