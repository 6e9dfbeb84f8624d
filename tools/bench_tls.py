"""./takt bench tls: what TLS costs the gateway (apps/gateway, issue 15's figures).

  image    the gateway built without and with TLS (a CA, a certificate and a key made
           here with openssl, ECDSA P-256): takt.bin's bytes and size.txt's text, data
           and bss.
  handshake  the guest CPU time of a handshake, under -icount shift=0 (1 ns an
           instruction): for MQTT over mutual TLS the "us of network CPU" of the
           gateway's connect line (the network threads, tcpip and net-rx, from the
           attempt to CONNACK: TCP, the handshake, CONNECT), for HTTPS the metrics thread's
           takt_thread_cpu_seconds_total over one scrape on a new connection
           (handshake and one small request). CPU time, not elapsed: waiting for
           the host's peer is not in it, so sleep=on/off and the host's load
           leave it alone; the elapsed "us to connect" is kept for reference.
  heap     takt_memory_heap_used_bytes from /metrics (over HTTPS, metrics.tls=on):
           with MQTT over TLS and one HTTPS client (the scrape itself); the same
           with a second HTTPS client held open (their difference: one HTTPS
           connection); and with plain MQTT (the difference: the MQTT TLS
           connection with its configuration).

The peers are mosquitto on the host's loopback (a TLS listener with
require_certificate, the guest reaching it as 10.0.2.2) and this script's HTTPS
client. The guests run under -icount shift=0,align=off,sleep=off; --sleep-on
runs them with sleep=on instead. Writes build/bench/BOARD-tls.json
(BOARD-tls-sleep-on.json); figures, never pass/fail.

Run through ./takt bench tls [-b BOARD] (its build_app builds the two gateways).
"""
import json
import os
import re
import shutil
import socket
import ssl
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "net"))
import takt_bench  # noqa: E402
from guest import Guest, GuestError, free_port  # noqa: E402
import test_mqtt_tls as mt  # noqa: E402

ICOUNT = "shift=0,align=off,sleep=%s"
CONNECTED = r"^mqtt: connected to \S+ \(.*, (\d+) us to connect, (\d+) us of network CPU\)"
SCRAPES = 5     # HTTPS scrapes on new connections: the handshake figure's median


class Error(Exception):
    pass


def sizes(build_dir):
    text, data, bss = takt_bench.size_of(build_dir)
    return {"image_bytes": os.path.getsize(os.path.join(build_dir, "takt.bin")),
            "text": text, "data": data, "bss": bss}


def https_get(port, ca, path="/metrics"):
    """One GET on a new TLS connection (the CA checked, not the name: the
    guest's certificate names gw.takt.test, we dial 127.0.0.1)."""
    ctx = ssl.create_default_context(cafile=ca)
    ctx.check_hostname = False
    with socket.create_connection(("127.0.0.1", port), timeout=120) as raw:
        with ctx.wrap_socket(raw) as s:
            s.sendall(b"GET %s HTTP/1.0\r\nHost: gw\r\n\r\n" % path.encode())
            chunks = []
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
    text = b"".join(chunks).decode("utf-8", "replace")
    if not text.startswith("HTTP/1.") or " 200 " not in text.split("\r\n", 1)[0]:
        raise Error("GET %s over HTTPS: %r" % (path, text[:200]))
    return text


def metric(text, name, labels=""):
    m = re.search(r"^%s(?:\{[^}]*%s[^}]*\})? ([0-9.e+-]+)$" % (re.escape(name), re.escape(labels)),
                  text, re.M)
    if not m:
        raise Error("no %s%s on /metrics" % (name, labels))
    return float(m.group(1))


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def run_guest(img, broker_port, ca, sleep, mqtts, entropy, log):
    """Boot the TLS gateway with MQTT (mqtts:// or plain) and HTTPS metrics; the
    figures it gives."""
    append = ("mqtt=%s://%s:%d metrics.tls=on metrics.timeout_ms=600000 mqtt.period_ms=1000%s%s"
              % ("mqtts" if mqtts else "mqtt", mt.NAME, broker_port,
                 " mqtt.topic=takt/bench/tls mqtt.id=gw-bench", entropy))
    out = {}
    with Guest(img, forwards=[443], append=append,
               extra=["-icount", ICOUNT % sleep], log=log) as g:
        m = g.wait_for(CONNECTED, timeout=300)
        out["mqtt_connect_elapsed_us"] = int(m.group(1))
        out["mqtt_connect_network_cpu_us"] = int(m.group(2))
        g.wait_for(r"^metrics: https://", timeout=60)
        port = g.port(443)
        cpu, heaps = [], []
        prev = metric(https_get(port, ca), "takt_thread_cpu_seconds_total", 'thread="metrics"')
        for _ in range(SCRAPES):
            text = https_get(port, ca)
            now = metric(text, "takt_thread_cpu_seconds_total", 'thread="metrics"')
            cpu.append((now - prev) * 1e6)
            heaps.append(int(metric(text, "takt_memory_heap_used_bytes")))
            prev = now
        out["https_scrape_metrics_cpu_us"] = round(median(cpu), 1)
        out["https_scrape_metrics_cpu_us_all"] = [round(c, 1) for c in cpu]
        out["heap_used_one_https"] = heaps[-1]
        # a second HTTPS client: handshake done, held open while we scrape
        ctx = ssl.create_default_context(cafile=ca)
        ctx.check_hostname = False
        with socket.create_connection(("127.0.0.1", port), timeout=120) as raw:
            with ctx.wrap_socket(raw):
                text = https_get(port, ca)
                out["heap_used_two_https"] = int(metric(text, "takt_memory_heap_used_bytes"))
        out["heap_arena"] = int(metric(https_get(port, ca), "takt_memory_heap_arena_bytes"))
        out["console_tls"] = [ln for ln in g.output() if ln.startswith("tls: random")]
    return out


def bench(board, build, sleep_on=False, weak=None):
    """build(app_name, tls) -> build dir (./takt's build_app)."""
    sleep = "on" if sleep_on else "off"
    tmp = tempfile.mkdtemp(prefix="takt-bench-tls-")
    logdir = os.path.join(ROOT, "build", "bench", "tls")
    os.makedirs(logdir, exist_ok=True)
    try:
        pki, ca1, _ = mt.make_pki(tmp)
        plain = build("gateway", None)
        tls = build("gateway_tls_bench", {"ca": ca1[0], "cert": pki.client[0],
                                          "key": pki.client[1]})
        with open(os.path.join(plain, "run.json")) as f:
            qemu = json.load(f)["qemu"]
        if weak is None:    # no virtio-rng in the run command and no CPU RNG: the ZCU102
            weak = board == "zcu102"
        entropy = " tls.entropy=weak" if weak else ""
        res = {"board": board, "icount": "-icount " + ICOUNT % sleep,
               "qemu": " ".join(qemu), "entropy": "tls.entropy=weak (clock)" if weak else
               "hardware", "certificates": "ECDSA P-256 (mutual TLS), TLS 1.2",
               "image_plain": sizes(plain), "image_tls": sizes(tls)}
        res["image_tls_extra_bytes"] = (res["image_tls"]["image_bytes"]
                                        - res["image_plain"]["image_bytes"])
        port = free_port()
        broker = mt.Broker(tmp, port, pki.server, pki.path("ca1.crt")).start()
        try:
            with open(os.path.join(logdir, "%s-mqtts.log" % board), "w") as log:
                res["mqtts"] = run_guest(tls, port, pki.path("ca1.crt"), sleep, True, entropy, log)
            with open(os.path.join(logdir, "%s-mqtt.log" % board), "w") as log:
                res["mqtt_plain"] = run_guest(tls, broker.plain, pki.path("ca1.crt"), sleep,
                                              False, entropy, log)
        finally:
            broker.stop()
            for c in mt.children:
                c.stop()
        t, p = res["mqtts"], res["mqtt_plain"]
        res["summary"] = {
            "mqtt_tls_handshake_network_cpu_us": t["mqtt_connect_network_cpu_us"],
            "mqtt_plain_connect_network_cpu_us": p["mqtt_connect_network_cpu_us"],
            "https_handshake_and_scrape_cpu_us": t["https_scrape_metrics_cpu_us"],
            "https_plain_mqtt_scrape_cpu_us": p["https_scrape_metrics_cpu_us"],
            "heap_mqtt_tls_plus_one_https": t["heap_used_one_https"],
            "heap_per_https_connection": t["heap_used_two_https"] - t["heap_used_one_https"],
            "heap_mqtt_tls_connection_and_config": t["heap_used_one_https"]
            - p["heap_used_one_https"],
            "image_tls_extra_bytes": res["image_tls_extra_bytes"],
        }
        return res
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def print_summary(res):
    s = res["summary"]
    print("[bench tls] %s, %s, %s" % (res["board"], res["icount"], res["entropy"]))
    print("  image: %d bytes plain, %d with TLS (+%d)" % (
        res["image_plain"]["image_bytes"], res["image_tls"]["image_bytes"],
        s["image_tls_extra_bytes"]))
    for k in ("mqtt_tls_handshake_network_cpu_us", "mqtt_plain_connect_network_cpu_us",
              "https_handshake_and_scrape_cpu_us", "heap_mqtt_tls_plus_one_https",
              "heap_per_https_connection", "heap_mqtt_tls_connection_and_config"):
        print("  %-40s %s" % (k, s[k]))


def run_bench(cli, board, sleep_on=False):
    """./takt bench tls (tools/takt_bench_cmd.py)."""
    gateway = os.path.join(ROOT, "apps", "gateway")

    def build(name, tls):
        return cli.build_app(board, name, gateway, tls=tls)
    try:
        res = bench(board, build, sleep_on)
    except (Error, GuestError, mt.PkiError, OSError) as e:
        raise cli.Failure("bench tls: %s" % e)
    print_summary(res)
    kind = "tls-sleep-on" if sleep_on else "tls"
    print("[bench tls] %s" % takt_bench.write_result(ROOT, board, kind, res))
    return 0
