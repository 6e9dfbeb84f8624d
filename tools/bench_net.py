"""./takt bench net: HTTP requests/second and latency, Takt beside Linux, same QEMU machine.

`wrk` (Debian package wrk) on the host loads a small page through QEMU's user network
(slirp) and a host port forward, -netdev user,hostfwd=tcp:127.0.0.1:PORT-:80 with a
virtio-net-device (virtio-mmio on the QEMU boards; a board's own NIC where its
bsp/<board>/board.cmake names one in TAKT_QEMU_NIC, e.g. the ZCU102's GEM3), served by
  (a) the Takt gateway image, whose complete QEMU command the caller gives (with
      @PORT@ where the host port goes), and
  (b) Debian's Linux kernel (the PREEMPT_RT package bench_latency fetches, with the
      virtio-mmio/virtio-net modules it ships) and busybox httpd in a busybox initramfs,
      in the machine bench_latency.PEERS boots Linux in (the same as Takt's board on
      qemu-virt-arm64; on qemu-microvm-x86_64 Linux needs acpi=on,pit=on, see PEERS).
Each guest is booted, probed with plain HTTP GETs until it answers, warmed up with a short
wrk run, then measured with `wrk -t1 -cN -dSs --latency`. No -icount: the figures are
wall clock under TCG, relative only (both systems in the same run on the same host).
Prints a side-by-side table and writes build/bench/BOARD-net.json; console logs and wrk
output go to build/bench/net/BOARD-*.log. Each guest's NIC is also captured (QEMU
filter-dump, headers only) and read with tools/pcap_tcp_timing.py: the SYN -> SYN-ACK
and request -> response times at the guest's NIC, i.e. the guest's own share of
wrk's figures without what the host's threads add, are printed as a second table.

Standalone: python3 tools/bench_net.py -b qemu-virt-arm64 [--takt-cmd-json FILE]
[--linux-only]; FILE holds the QEMU argv as a JSON list (or a run.json-like object with
a "qemu" list).
"""
import argparse
import http.client
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_latency as bl  # noqa: E402
from bench_net_peer import Error, NET_MODULES, initramfs, log  # noqa: E402,F401
from bench_net_wrk import WRK_TIMEOUT, median_runs, parse_wrk, wrk  # noqa: E402,F401
import pcap_tcp_timing  # noqa: E402
import takt_bench  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The page both sides serve unless told otherwise: about 100 bytes of text.
PAGE = (b"Takt bench net: the same small page from both guests, for wrk through QEMU "
        b"user networking.\n")
PORT_TOKEN = "@PORT@"
NETDEV = ["-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:%s-:80" % PORT_TOKEN]
# The NIC on netdev n0: virtio-net unless the board names its own (run.json "nic",
# from bsp/<board>/board.cmake TAKT_QEMU_NIC; a Linux peer's PEERS entry "nic").
VIRTIO_NIC = ["-device", "virtio-net-device,netdev=n0"]
NIC = NETDEV + VIRTIO_NIC


def with_nic(run_info):
    """A Takt run.json's QEMU argv with the user network on the board's NIC."""
    nic = run_info.get("nic") or VIRTIO_NIC
    return list(run_info["qemu"]) + NETDEV + list(nic)

WARMUP = 2              # s of wrk before the measured run
LINUX_READY = 180       # s from QEMU start to the initramfs's "=== net ready"
TAKT_READY = 60         # s from QEMU start to the first HTTP answer (Takt prints no marker)
PROBE_AFTER_READY = 30  # s of HTTP probing after Linux's ready marker
# Linux x86 on microvm stalls in early boot now and then (bench_latency.PEERS; measured
# here: a third to a half of the boots, with or without the NIC). PEERS gives 90 s for
# the check (its -icount runs boot slower); without -icount "=== linux" comes after
# 7-10 s, so 30 s is ample.
STALL_S = 30
# The stalled boots had all failed to calibrate the TSC against the i8254 in setup_arch:
# no "tsc: Detected" line before start_kernel's "Kernel command line:" (12 of 12 boots
# predicted right, 6 stalled, 6 not). The calibration is timing-sensitive and TCG's
# i8254 runs on the host's clock; the later delay-loop calibration then spins on
# jiffies that never advance. Such a boot is killed at once (4-6 s in) and retried,
# hence more tries than PEERS's; it needs the boot messages, so no "quiet" there.
STALL_TRIES = 10
DOOMED = {"qemu-microvm-x86_64": (b"Kernel command line:", b"tsc: Detected")}
# What avoids it: tsc_early_khz=<the TSC rate> on the command line (10 of 10 boots under
# the same host load that stalled most boots without it). Under TCG without -icount the
# guest's TSC is the host's (QEMU's cpu_get_host_ticks: rdtsc on an x86 host); its rate
# is learnt from the "tsc: Detected N MHz processor" line of a boot whose own
# calibration worked and kept per host in the peer cache (TSC_CACHE), re-learnt whenever
# a boot's calibration says otherwise. Never valid under -icount (the TSC then counts
# virtual ns), which this benchmark does not use.
TSC_CACHE = "tsc_khz.json"


# -- a running guest ---------------------------------------------------------------------

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def with_port(cmd, port):
    if not any(PORT_TOKEN in a for a in cmd):
        raise Error("the QEMU command has no %s placeholder (hostfwd=tcp:127.0.0.1:%s-:80)"
                    % (PORT_TOKEN, PORT_TOKEN))
    return [a.replace(PORT_TOKEN, str(port)) for a in cmd]


# The guest (every QEMU thread) on CPU 0, wrk on CPU 1, when the host has two:
# left to the host scheduler, wrk competes with QEMU's vCPU and slirp threads and
# 1 % of requests wait 100-250 ms for a CPU (measured on qemu-microvm-x86_64,
# keep-alive -c8: p99 147.7 ms unpinned, 4.5 ms pinned; the guest saw no drops).
PIN = os.cpu_count() is not None and os.cpu_count() >= 2 and shutil.which("taskset")
GUEST_CPU = ["taskset", "-c", "0"] if PIN else []


class Guest:
    """One QEMU process, its console collected by a thread; always stop() it."""

    def __init__(self, cmd, logpath):
        self.cmd, self.logpath = cmd, logpath
        self.chunks = []
        self.doomed = False
        self.t0 = time.monotonic()
        self.p = subprocess.Popen(GUEST_CPU + cmd, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.reader = threading.Thread(target=lambda: self.chunks.extend(iter(
            lambda: self.p.stdout.read1(65536), b"")), daemon=True)
        self.reader.start()

    def console(self):
        return b"".join(self.chunks).decode("utf-8", "replace")

    def tail(self, n=15):
        text = self.console().replace("\r", "").strip("\n")
        if not text:
            return "    (no console output)"
        return "\n".join("    | " + ln for ln in text.split("\n")[-n:])

    def elapsed(self):
        return time.monotonic() - self.t0

    def exited(self):
        return self.p.poll() is not None

    def wait_for(self, marker, seconds, doomed=None):
        """True once marker (bytes) is on the console; False after seconds from the
        start, when QEMU has exited, or when doomed=(after, need) and the console shows
        after without need before it."""
        while self.elapsed() < seconds:
            con = b"".join(self.chunks)
            if marker in con:
                return True
            if doomed and doomed[0] in con and doomed[1] not in con.split(doomed[0])[0]:
                self.doomed = True
                return False
            if self.exited():
                self.reader.join(2)
                return marker in b"".join(self.chunks)
            time.sleep(0.2)
        return False

    def stop(self, extra=""):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()
        self.reader.join(5)
        with open(self.logpath, "w") as f:
            f.write("$ %s\n%s\n%s" % (shlex.join(self.cmd), self.console(), extra))


def http_get(port, path, timeout=3):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def probe(guest, port, path, deadline):
    """GET until a 2xx answer (returns its body) or deadline (guest-elapsed seconds)."""
    last = None
    while guest.elapsed() < deadline:
        if guest.exited():
            raise Error("QEMU exited (status %s) before HTTP answered" % guest.p.returncode)
        try:
            status, body = http_get(port, path)
            if 200 <= status < 300:
                return body
            last = "HTTP %d" % status
        except (OSError, http.client.HTTPException) as e:
            last = "%s: %s" % (type(e).__name__, e)
        time.sleep(0.5)
    raise Error("no HTTP answer on 127.0.0.1:%d%s within %d s of the start (last: %s)"
                % (port, path, deadline, last))


# -- one system -------------------------------------------------------------------------------

def serve_and_measure(name, make_cmd, logpath, path, connections, duration, warmup,
                      close=False, repeats=1, ready=None, ready_timeout=None, stall=None,
                      doomed=None, tries=1, probe_deadline=60, on_console=None):
    """Boot make_cmd(port), wait for the ready marker (if any), probe HTTP, warm up,
    measure. Returns the result dict ({"error": ...} on failure); QEMU is always killed
    (and on_console, if given, called with each boot's console text)."""
    stem = re.sub(r"\.log$", "", logpath)
    for f in os.listdir(os.path.dirname(logpath)):   # an earlier run's stalled boots
        if os.path.join(os.path.dirname(logpath), f).startswith(stem + "-stalled-"):
            os.remove(os.path.join(os.path.dirname(logpath), f))
    pcap = stem + ".pcap"
    for attempt in range(1, tries + 1):
        port = free_port()
        # The guest's NIC is captured (headers only) for its own share of the latency.
        cmd = make_cmd(port) + ["-object", "filter-dump,id=bench-dump,netdev=n0,file=%s,"
                                "maxlen=128" % pcap]
        log("%s: booting (host port %d)%s ..." % (name, port, "" if tries == 1 else
                                                  ", try %d/%d" % (attempt, tries)))
        g = Guest(cmd, logpath)
        wrk_out = []
        try:
            if stall and not g.wait_for(stall[0], stall[1], doomed) and not g.exited():
                if g.doomed:
                    log("%s: early boot doomed (%r without %r before it after %.1f s)"
                        % (name, doomed[0].decode(), doomed[1].decode(), g.elapsed()))
                else:
                    log("%s: stalled in early boot (no %r after %d s)"
                        % (name, stall[0].decode(), stall[1]))
                g.logpath = re.sub(r"(\.log)?$", "-stalled-%d.log" % attempt, logpath, 1)
                continue
            if ready and not g.wait_for(ready, ready_timeout):
                raise Error("no %r on the console %s %d s; last console lines:\n%s"
                            % (ready.decode(), "(QEMU exited %s) within" %
                               g.p.returncode if g.exited() else "within",
                               ready_timeout, g.tail()))
            t_ready = g.elapsed()
            deadline = (t_ready + PROBE_AFTER_READY) if ready else probe_deadline
            try:
                body = probe(g, port, path, deadline)
            except Error as e:
                raise Error("%s; last console lines:\n%s" % (e, g.tail()))
            t_http = g.elapsed()
            log("%s: HTTP answers %d bytes after %.1f s; warm-up %d s ..."
                % (name, len(body), t_http, warmup))
            if warmup > 0:
                _, out = wrk(port, path, connections, warmup, latency=False, close=close)
                wrk_out.append(out)
            runs = []
            for i in range(repeats):
                log("%s: measuring, wrk -c%d for %d s%s ..." % (
                    name, connections, duration,
                    "" if repeats == 1 else " (run %d/%d)" % (i + 1, repeats)))
                cmd_w, out = wrk(port, path, connections, duration, close=close)
                wrk_out.append(out)
                runs.append(parse_wrk(out))
                if g.exited():
                    raise Error("QEMU exited during the run; last console lines:\n%s"
                                % g.tail())
                log("%s: %.0f req/s, p50 %s p99 %s us, %d errors"
                    % (name, runs[-1]["requests_per_sec"], fmt(runs[-1].get("p50_us")),
                       fmt(runs[-1].get("p99_us")), runs[-1]["errors"]))
            r = median_runs(runs)
            r.update({"boot_to_http_s": round(t_http, 2), "page_bytes": len(body),
                      "wrk": shlex.join(cmd_w), "wrk_outputs": wrk_out[-repeats:]})
        except (Error, OSError, subprocess.SubprocessError) as e:
            log("%s: FAILED: %s (log %s)" % (name, e, os.path.relpath(logpath)))
            return {"error": str(e).split("\n")[0]}
        finally:
            g.stop("".join("\n--- wrk ---\n" + o for o in wrk_out))
            if on_console:
                on_console(g.console())
        r["guest_nic"] = guest_nic_timing(pcap)    # QEMU has exited: the capture is whole
        os.remove(pcap)     # 80 MB for Takt's 100,000 connections; the figures are kept
        return r
    log("%s: FAILED: stalled in early boot %d times (log %s)"
        % (name, tries, os.path.relpath(logpath)))
    return {"error": "stalled in early boot %d times" % tries}


def guest_nic_timing(pcap):
    """SYN -> SYN-ACK and request -> response at the guest's NIC, in us, over every
    connection of the boot (probes and warm-up included): the guest's own share,
    without what wrk's and QEMU's host threads add."""
    try:
        conns = pcap_tcp_timing.connections(pcap, "10.0.2.15")
    except (OSError, ValueError) as e:
        return {"error": str(e)}
    out = {}
    for key, a, b in (("syn", "syn", "synack"), ("request", "req", "resp")):
        p = pcap_tcp_timing.percentiles([c[b] - c[a] for c in conns if a in c and b in c])
        out[key] = {k: (v if k == "n" else round(v * 1e6, 1)) for k, v in p.items()}
    return out


def nic_table(rows):
    lines = ["%-24s %8s %10s %10s %10s %10s %10s" % ("at the guest NIC", "conns",
             "SYN p50", "SYN p99", "req p50", "req p99", "req max")]
    for name, r in rows:
        g = (r or {}).get("guest_nic")
        if not g or "error" in g or not g["request"].get("n"):
            lines.append("%-24s  %s" % (name, (g or {}).get("error", "(no capture)")))
            continue
        lines.append("%-24s %8d %10s %10s %10s %10s %10s" % (
            name, g["request"]["n"], fmt(g["syn"].get("p50")), fmt(g["syn"].get("p99")),
            fmt(g["request"]["p50"]), fmt(g["request"]["p99"]), fmt(g["request"]["max"])))
    return "\n".join(lines)


# -- the table ------------------------------------------------------------------------------

COLS = [("req/s", "requests_per_sec"), ("p50 us", "p50_us"), ("p75 us", "p75_us"),
        ("p90 us", "p90_us"), ("p99 us", "p99_us"), ("max us", "max_us"),
        ("errors", "errors")]


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, int):
        return str(v)
    return "%.0f" % v if v >= 100 else "%.1f" % v


def table(rows):
    lines = ["%-24s" % "system" + "".join("%10s" % c for c, _ in COLS)]
    for name, r in rows:
        if r is None or "error" in r:
            lines.append("%-24s  %s" % (name, "(not run)" if r is None
                                         else "FAILED: " + r["error"][:90]))
            continue
        lines.append("%-24s" % name + "".join("%10s" % fmt(r.get(k)) for _, k in COLS))
    (_, t), (_, lx) = rows
    if t and lx and "error" not in t and "error" not in lx:
        cells = []
        for _, k in COLS[:-1]:
            a, b = t.get(k), lx.get(k)
            cells.append("%9.2fx" % (b / a) if a and b else "%10s" % "-")
        lines.append("%-24s" % "ratio Linux/Takt" + "".join(cells))
    return "\n".join(lines)


# -- the benchmark -----------------------------------------------------------------------

def host_key():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*:\s*(.*)$", f.read(), re.M)
            model = m.group(1).strip() if m else ""
    except OSError:
        pass
    return "%s %s" % (socket.gethostname(), model)


def tsc_khz(arch, learn_from=None):
    """The guest TSC rate learnt on this host (None if not yet); with learn_from (a
    console text), record the rate that boot's own calibration found first."""
    path = os.path.join(bl.cache_root(), arch, TSC_CACHE)
    try:
        with open(path) as f:
            known = json.load(f)
    except (OSError, ValueError):
        known = {}
    khz = known.get(host_key())
    if learn_from is not None:
        m = re.search(r"tsc: Detected ([0-9.]+) MHz processor", learn_from)
        new = m and round(float(m.group(1)) * 1000)
        if new and (not khz or abs(new - khz) > khz / 1000):
            log("learnt the guest TSC rate on this host: %d kHz (was %s)" % (new, khz))
            known[host_key()] = new
            with open(path + ".tmp", "w") as f:
                json.dump(known, f, indent=1)
            os.replace(path + ".tmp", path)
            khz = new
    return khz


def linux_peer(board, page, out_dir):
    """(pcfg, kernel image, initramfs, kernel package, modules) for the board."""
    pcfg = bl.PEERS.get(board)
    if not pcfg:
        raise Error("no Linux peer for %s (known: %s)" % (board, ", ".join(bl.PEERS)))
    log("fetching Debian's kernel and busybox-static (%s, cached) ..." % pcfg["arch"])
    image, uroot, kpkg = bl.fetch_peer(pcfg["arch"])
    kroot = os.path.join(bl.cache_root(), pcfg["arch"], "kernel")
    rd, mods = initramfs(kroot, uroot, page,
                         os.path.join(out_dir, "%s-linux-initramfs.cpio" % board),
                         pcfg.get("net_modules", NET_MODULES))
    log("Linux peer: %s, modules %s, initramfs %d KiB"
        % (kpkg, " ".join(mods), os.path.getsize(rd) // 1024))
    return pcfg, image, rd, kpkg, mods


def bench(root, board, takt_cmd, takt_url_path="/", takt_error=None, connections=8,
          duration=10, page=PAGE, warmup=WARMUP, linux=True, close=False, repeats=1):
    """Measure the Takt guest (takt_cmd: its complete QEMU argv with @PORT@ in its
    hostfwd; None: takt_error goes in its row) and the Linux peer; print the table,
    write build/bench/BOARD-net.json and return the summary. busybox httpd answers
    "Connection: close" (one TCP connection per request); close=True has wrk ask both
    guests for that, so that a keep-alive server is measured the same way. repeats: wrk
    runs per system in the same boot, the table showing the median of each figure."""
    t_start = time.monotonic()
    out_dir = os.path.join(root, "build", "bench")
    log_dir = os.path.join(out_dir, "net")
    os.makedirs(log_dir, exist_ok=True)
    log("wrk -t1 -c%d -d%ds --latency after a %d s warm-up, %d run%s per system; wall "
        "clock, no -icount" % (connections, duration, warmup, repeats,
                               "" if repeats == 1 else "s"))
    common = dict(connections=connections, duration=duration, warmup=warmup, close=close,
                  repeats=repeats)

    results = {"takt": None, "linux": None}
    takt_full = None
    if takt_cmd and not any(PORT_TOKEN in a for a in takt_cmd):
        takt_error = ("the Takt QEMU command has no %s placeholder "
                      "(hostfwd=tcp:127.0.0.1:%s-:80)" % (PORT_TOKEN, PORT_TOKEN))
        takt_cmd = None
    if takt_cmd:
        takt_full = list(takt_cmd)
        results["takt"] = serve_and_measure(
            "Takt", lambda port: with_port(takt_full, port),
            os.path.join(log_dir, "%s-takt.log" % board), takt_url_path,
            probe_deadline=TAKT_READY, **common)
    else:
        results["takt"] = {"error": takt_error or "no Takt image"}
        if takt_error:
            log("Takt's gateway is not available: %s" % takt_error)

    peer, linux_full = None, None
    if linux:
        try:
            peer = linux_peer(board, page, log_dir)
        except (Error, OSError, RuntimeError, subprocess.CalledProcessError) as e:
            out = getattr(e, "output", "") or ""
            log("Linux peer unavailable: %s %s" % (e, out.strip()[-300:]))
            results["linux"] = {"error": "peer unavailable: %s" % e}
    if peer:
        pcfg, image, rd, kpkg, mods = peer
        doomed = DOOMED.get(board)
        append = pcfg["append"]
        learn = None
        if doomed:
            append = " ".join(a for a in append.split() if a != "quiet")

            def learn(console):
                tsc_khz(pcfg["arch"], console)

        def linux_cmd(port):
            nonlocal linux_full
            khz = doomed and tsc_khz(pcfg["arch"])
            linux_full = (pcfg["qemu"] + ["-kernel", image, "-initrd", rd, "-append",
                                          append + (" tsc_early_khz=%d" % khz if khz else "")]
                          + NETDEV + pcfg.get("nic", VIRTIO_NIC))
            return with_port(linux_full, port)
        results["linux"] = serve_and_measure(
            "Linux", linux_cmd,
            os.path.join(log_dir, "%s-linux.log" % board), "/",
            ready=b"=== net ready", ready_timeout=LINUX_READY,
            stall=pcfg["ready"] and (pcfg["ready"][0], min(pcfg["ready"][1], STALL_S)),
            doomed=doomed, on_console=learn,
            tries=max(pcfg["tries"], STALL_TRIES) if pcfg["ready"] else pcfg["tries"],
            **common)
        if "error" not in results["linux"] and results["linux"]["page_bytes"] != len(page):
            log("warning: Linux served %d bytes, the page has %d"
                % (results["linux"]["page_bytes"], len(page)))
    t = results["takt"]
    if t and "error" not in t and t["page_bytes"] != len(page):
        log("note: Takt's page is %d bytes, Linux's %d: not the same page"
            % (t["page_bytes"], len(page)))

    linux_name = "Linux %s" % (re.sub(r"^linux-image-", "", peer[3]) if peer else "")
    print()
    print("HTTP GET, wrk -t1 -c%d -d%ds --latency (after %d s warm-up%s), %s on %s"
          % (connections, duration, warmup,
             "" if repeats == 1 else "; median of %d runs" % repeats, board,
             bl.PEERS[board]["machine"] if board in bl.PEERS else "QEMU"))
    on = "virtio-net-device"
    if takt_full and "virtio-net-device,netdev=n0" not in takt_full:
        on = "the board's NIC (Takt), virtio-net-device (Linux)"
    print("QEMU user network, host 127.0.0.1:PORT -> guest :80 on %s; wall clock, no "
          "-icount: TCG figures, compare side by side only" % on)
    print("CPUs: %s" % ("QEMU pinned to host CPU 0, wrk to CPU 1 (taskset)" if PIN
                        else "not pinned (one host CPU, or no taskset)"))
    print("requests: %s" % ("'Connection: close' asked of both (one TCP connection per "
                            "request)" if close else "wrk's HTTP/1.1 keep-alive; busybox "
                            "httpd closes after each response"))
    if board in bl.PEERS and bl.PEERS[board]["takt_machine"]:
        print("machines differ: %s" % bl.PEERS[board]["takt_machine"])
    if linux_full and any("tsc_early_khz=" in x for x in linux_full):
        print("Linux: %s (the TSC rate learnt from an earlier boot: its i8254 calibration "
              "fails under load)" % re.search(r"tsc_early_khz=\d+", " ".join(linux_full))
              .group(0))
    if peer:
        print("Linux: %s, busybox httpd, page %d bytes; Takt: %s"
              % (peer[3], len(page), takt_url_path if takt_cmd else "-"))
    print(table([("Takt", results["takt"]), (linux_name.strip(), results["linux"])]))
    print("(ratio Linux/Takt: above 1x favours Takt in the latency columns, below 1x in "
          "req/s)")
    print("\nthe guest's own share, from a capture at its NIC (us; every connection of the "
          "boot):")
    print(nic_table([("Takt", results["takt"]), (linux_name.strip(), results["linux"])]),
          flush=True)

    summary = {
        "board": board, "tool": "wrk", "unit_latency": "us",
        "params": {"threads": 1, "connections": connections, "duration_s": duration,
                   "warmup_s": warmup, "wrk_timeout": WRK_TIMEOUT, "icount": False,
                   "connection_close": close, "repeats": repeats},
        "page_bytes": len(page), "takt_url_path": takt_url_path,
        "linux_kernel_package": peer[3] if peer else None,
        "linux_modules": peer[4] if peer else None,
        "qemu": {"takt": takt_full, "linux": linux_full},
        "results": results,
        "seconds": round(time.monotonic() - t_start, 1),
    }
    jpath = takt_bench.write_result(root, board, "net", summary)
    print("json: %s\nlogs: %s/" % (os.path.relpath(jpath), os.path.relpath(log_dir)))
    log("done in %.0f s" % (time.monotonic() - t_start))
    return summary


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-b", "--board", default="qemu-virt-arm64", choices=sorted(bl.PEERS))
    ap.add_argument("--takt-cmd-json", metavar="FILE",
                    help="the Takt guest's QEMU argv (JSON list, or an object with 'qemu')")
    ap.add_argument("--takt-url-path", default="/")
    ap.add_argument("--linux-only", action="store_true", help="measure Linux only")
    ap.add_argument("-c", "--connections", type=int, default=8)
    ap.add_argument("-d", "--duration", type=int, default=10, help="seconds measured")
    ap.add_argument("-r", "--repeats", type=int, default=1,
                    help="wrk runs per system (same boot); the table shows medians")
    ap.add_argument("--warmup", type=int, default=WARMUP, help="seconds of warm-up")
    ap.add_argument("--page", metavar="FILE", help="the page Linux serves (default: %d "
                    "bytes of text)" % len(PAGE))
    ap.add_argument("--close", action="store_true",
                    help="have wrk send 'Connection: close' (busybox httpd closes anyway)")
    ap.add_argument("--root", default=ROOT, help="the tree whose build/bench gets results")
    a = ap.parse_args(argv)
    takt_cmd, takt_error = None, None
    if a.linux_only:
        takt_error = "not run (--linux-only)"
    elif not a.takt_cmd_json:
        ap.error("give --takt-cmd-json FILE or --linux-only")
    else:
        with open(a.takt_cmd_json) as f:
            j = json.load(f)
        takt_cmd = j.get("qemu") if isinstance(j, dict) else j
        if isinstance(j, dict) and "nic" in j and isinstance(takt_cmd, list):
            takt_cmd = with_nic(j)
        if not (isinstance(takt_cmd, list) and all(isinstance(x, str) for x in takt_cmd)):
            ap.error("%s: expected a JSON list of strings (or {'qemu': [...]})"
                     % a.takt_cmd_json)
    page = PAGE
    if a.page:
        with open(a.page, "rb") as f:
            page = f.read()
    s = bench(a.root, a.board, takt_cmd, a.takt_url_path, takt_error, a.connections,
              a.duration, page=page, warmup=a.warmup, close=a.close,
              repeats=a.repeats)
    want = ["linux"] + ([] if a.linux_only else ["takt"])
    return 1 if any("error" in (s["results"][k] or {"error": 1}) for k in want) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
