"""MQTT over TLS (apps/gateway, mqtt=mqtts://) against a real broker:
mosquitto with a TLS listener and `require_certificate true` on the host's
loopback (the guest reaches it as 10.0.2.2, the name in the broker's
certificates), certificates made with openssl here
(tests/net/tls_certs.py), and two images of the gateway built here with
different CAs and client certificates (cmake into a temporary folder,
linking the board's kernel library of the --build-dir given).

  image A: CA 1, client certificate from CA 1, credential gw/right from the build
  image B: CA 2, client certificate from CA 2

Checks: samples arrive over mutual TLS; with the broker changed under a
running guest (same port: the guest retries with backoff), an expired server
certificate, one for another host name, and the right one, each refused
with its own console line and then accepted; a broker with an RSA certificate
(ECDHE-RSA), also with only ChaCha20-Poly1305 allowed; the HTTPS server agrees
each configured suite and refuses a CBC suite and TLS 1.3 only; image B refuses CA 1's broker
(not our CA) and is refused by a broker that does not trust its client
certificate; HTTPS metrics with basic auth from the build (401 without or with a
wrong password); MQTT over TLS and an HTTPS scrape at once; the failures are counted on /metrics; the broker never sees an
MQTT client from a refused handshake; with a password file the build's
credential is accepted and a wrong mqtt.pass= refused; mqtts:// without a
CA in the image is refused at start; a missing or wrong certificate or key
at build time is a configure error naming it. One line per check; exit 1 on
failure."""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request

from guest import Guest, GuestError, free_port
from test_mqtt import Lines, parse_samples, increasing
from tls_certs import Pki, PkiError
from checks import promtool_path

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The broker's name as the guest checks it: QEMU's host address, written as a
# DNS name in the certificates (mbedTLS compares the text), so that no DNS
# peer on the shared port 53 is needed; test_mqtt.py covers brokers by name.
NAME = "10.0.2.2"
DEVICE = "gw.takt.test"		# image A's certificate: MQTT client and HTTPS server
PERIOD_MS = 100
TOPIC = "takt/tls/test"
# TLS needs an entropy source: the virtio boards' run command has a virtio-rng;
# a board with none (the ZCU102) runs with --weak-entropy, which gives every
# guest the bootarg tls.entropy=weak (net/tls/tls_rng.c: seeded from the clock,
# said loudly).
ENTROPY = ""
AUTH = ("scraper", "s3cret:pass")	# image A's metrics credential (TAKT_METRICS_AUTH)
GUEST_ARGS = "mqtt.period_ms=%d mqtt.topic=%s mqtt.id=gw-tls" % (PERIOD_MS, TOPIC)

failures = 0
children = []


def check(ok, name, detail=""):
    global failures
    print("%s %s%s" % ("PASS" if ok else "FAIL", name, (": " + detail) if detail else ""), flush=True)
    if not ok:
        failures += 1
    return ok


def tls_guest(img, append="", **kw):
    return Guest(img, append=append + ENTROPY, **kw)


# -- images ------------------------------------------------------------------------

def cache_value(build_dir, key):
    with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
        for line in f:
            m = re.match(r"%s:[A-Z]+=(.*)$" % re.escape(key), line.rstrip("\n"))
            if m:
                return m.group(1)
    return ""


def build_image(base, out, log, **tls):
    """The gateway of base's board and kernel library, with TAKT_TLS_* = tls,
    into out; raises GuestError with the log's tail when it fails."""
    cfg = ["cmake", "-S", ROOT, "-B", out, "-G", "Ninja",
           "-DBOARD=" + cache_value(base, "BOARD"),
           "-DAPP=" + os.path.join(ROOT, "apps", "gateway"),
           "-DTAKT_KERNEL_DIR=" + cache_value(base, "TAKT_KERNEL_DIR"),
           "-DTAKT_CACHE_DIR=" + cache_value(base, "TAKT_CACHE_DIR")]
    cfg += ["-DTAKT_%s=%s" % (k[:-1].upper() if k.endswith("_") else "TLS_" + k.upper(), v)
            for k, v in tls.items()]
    with open(log, "w") as f:
        for cmd in (cfg, ["cmake", "--build", out, "-j", str(os.cpu_count() or 1)]):
            if subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT).returncode:
                with open(log) as g:
                    raise GuestError("build of %s failed:\n%s" % (out, g.read()[-3000:]))
    return out


# -- the broker ----------------------------------------------------------------------

class Broker:
    """mosquitto: a TLS listener (require_certificate, clients verified
    against cafile) on port, and a plain one on 127.0.0.1 for the test's
    subscriber. passwords: {user: password} for a password file."""

    def __init__(self, tmpdir, port, cert, cafile, passwords=None, ciphers=None):
        self.port, self.plain = port, free_port()
        self.conf = os.path.join(tmpdir, "mosquitto-%d.conf" % port)
        text = ("per_listener_settings false\npersistence false\nlog_dest stderr\nlog_type all\n"
                "listener %d 0.0.0.0\ncertfile %s\nkeyfile %s\ncafile %s\n"
                "require_certificate true\ntls_version tlsv1.2\n%s"
                "listener %d 127.0.0.1\n" % (port, cert[0], cert[1], cafile,
                                              "ciphers %s\n" % ciphers if ciphers else "",
                                              self.plain))
        if passwords:
            pw = os.path.join(tmpdir, "passwd-%d" % port)
            open(pw, "w").close()
            for user, password in passwords.items():
                subprocess.run(["mosquitto_passwd", "-b", pw, user, password], check=True)
            text += "allow_anonymous false\npassword_file %s\n" % pw
        else:
            text += "allow_anonymous true\n"
        self.auth = ["-u", "gw", "-P", passwords["gw"]] if passwords else []
        with open(self.conf, "w") as f:
            f.write(text)
        self.log = None

    def start(self):
        # mosquitto started as root reads its files as user mosquitto
        for d, _, files in os.walk(os.path.dirname(self.conf)):
            os.chmod(d, 0o755)
            for f in files:
                os.chmod(os.path.join(d, f), 0o644)
        self.log = Lines(["mosquitto", "-c", self.conf], "stderr")
        children.append(self.log)
        if self.log.wait_for(r"mosquitto version \S+ running", 20) is None:
            raise GuestError("mosquitto did not start:\n  %s" % "\n  ".join(self.log.snapshot()[-10:]))
        return self

    def stop(self):
        if self.log:
            self.log.stop()
            self.log = None

    def subscribe(self):
        mark = len(self.log.snapshot())
        sub = Lines(["mosquitto_sub", "-i", "takt-test-sub", "-h", "127.0.0.1", "-p",
                     str(self.plain), "-t", "takt/#", "-v"] + self.auth, "stdout")
        children.append(sub)
        if self.log.wait_for(r"Sending SUBACK to takt-test-sub", 20, start=mark) is None:
            raise GuestError("mosquitto_sub did not subscribe:\n  %s"
                             % "\n  ".join(self.log.snapshot()[-10:]))
        return sub


def samples_of(sub, want, timeout):
    deadline_msgs = []

    def enough():
        msgs = [tuple(l.split(" ", 1)) for l in sub.snapshot() if l.startswith("takt/") and " " in l]
        deadline_msgs[:] = msgs
        return len(msgs) >= want
    with sub.cond:
        sub.cond.wait_for(enough, timeout)
    return parse_samples(deadline_msgs, TOPIC)


def metric(port, name):
    import base64
    req = urllib.request.Request("http://127.0.0.1:%d/metrics" % port, headers={
        "Authorization": "Basic " + base64.b64encode(("%s:%s" % AUTH).encode()).decode()})
    with urllib.request.urlopen(req, timeout=30) as r:
        text = r.read().decode()
    m = re.search(r"^%s (\d+)$" % name, text, re.M)
    return int(m.group(1)) if m else None


def guest_client_seen(broker):
    """Whether the broker accepted an MQTT client of the guest's."""
    return any(re.search(r"New client connected .* as gw-tls", l) for l in broker.log.snapshot())


# -- scenarios --------------------------------------------------------------------------

def refused_then(g, broker, regex, name, mark):
    """The guest says regex about broker's port; the broker saw no MQTT client."""
    try:
        m = g.wait_for(r"mqtt: cannot connect to %s:%d .*\((%s)\)" % (re.escape(NAME), broker.port,
                                                                       regex), timeout=90, start=mark)
        check(not guest_client_seen(broker), name, m.group(1))
    except GuestError as e:
        check(False, name, str(e))


def image_a(img, pki, tmpdir):
    """Expired, wrong name, then the right certificate, under one running guest."""
    port = free_port()
    ca1 = pki.path("ca1.crt")
    steps = [("expired_server_cert_refused", pki.old, r"tls: server certificate: expired"),
             ("wrong_host_name_refused", pki.other, r"tls: server certificate: host name mismatch")]
    with tls_guest(img, forwards=[80], append="mqtt=mqtts://%s:%d %s" % (NAME, port, GUEST_ARGS)) as g:
        for name, cert, regex in steps:
            broker = Broker(tmpdir, port, cert, ca1).start()
            try:
                refused_then(g, broker, regex, name, len(g.output()))
            finally:
                broker.stop()
        broker = Broker(tmpdir, port, pki.server, ca1).start()
        try:
            sub = broker.subscribe()
            g.wait_for(r"mqtt: connected to %s:%d " % (re.escape(NAME), port), timeout=90)
            check(True, "reconnected_after_refusals_with_backoff")
            check(broker.log.wait_for(r"New client connected .* as gw-tls .*u'gw'", 10) is not None,
                  "mutual_tls_client_accepted_with_build_credential")
            samples, problems = samples_of(sub, 20, 60)
            check(not problems and len(samples) >= 20 and increasing(samples, "seq"),
                  "samples_arrive_over_mutual_tls", "%d samples %s" % (len(samples), problems[:2]))
            rejected = metric(g.port(80), "takt_mqtt_tls_server_rejected_total")
            failed = metric(g.port(80), "takt_mqtt_tls_failures_total")
            check(rejected is not None and rejected >= 2 and failed >= rejected,
                  "refusals_counted_on_metrics", "rejected %s, failed %s" % (rejected, failed))
        finally:
            broker.stop()


def image_b(img, pki, tmpdir):
    """A broker from a CA we do not trust, then one that does not trust us."""
    port = free_port()
    with tls_guest(img, forwards=[80], append="mqtt=mqtts://%s:%d %s" % (NAME, port, GUEST_ARGS)) as g:
        broker = Broker(tmpdir, port, pki.server, pki.path("ca1.crt")).start()
        try:
            refused_then(g, broker, r"tls: server certificate: not signed by a trusted CA",
                         "wrong_ca_refused", 0)
        finally:
            broker.stop()
        broker = Broker(tmpdir, port, pki.server2, pki.path("ca1.crt")).start()
        try:
            refused_then(g, broker, r"tls: the peer refused the handshake: [a-zA-Z ]+ \(alert \d+\)",
                         "untrusted_client_cert_refused_by_broker", len(g.output()))
            check(broker.log.wait_for(r"certificate verify failed|OpenSSL Error", 10) is not None,
                  "broker_says_client_cert_failed")
            refused = metric(g.port(80), "takt_mqtt_tls_refused_by_server_total")
            check(refused is not None and refused >= 1, "broker_refusal_counted", str(refused))
        finally:
            broker.stop()


def passwords(img, pki, tmpdir):
    port = free_port()
    broker = Broker(tmpdir, port, pki.server, pki.path("ca1.crt"), passwords={"gw": "right"}).start()
    try:
        sub = broker.subscribe()
        with tls_guest(img, forwards=[], append="mqtt=mqtts://%s:%d %s" % (NAME, port, GUEST_ARGS)) as g:
            g.wait_for(r"mqtt: connected to %s:%d " % (re.escape(NAME), port), timeout=90)
            samples, problems = samples_of(sub, 5, 30)
            check(len(samples) >= 5 and not problems, "password_broker_accepts_build_credential")
        with tls_guest(img, forwards=[], append="mqtt=mqtts://%s:%d mqtt.user=gw mqtt.pass=wrong %s"
                   % (NAME, port, GUEST_ARGS)) as g:
            m = g.wait_for(r"mqtt: cannot connect to %s:%d .*\((refused: [a-z ]+)\)"
                           % (re.escape(NAME), port), timeout=90)
            check(True, "wrong_password_refused", m.group(1))
            check(not any("wrong" in l for l in g.output()), "password_never_printed")
    except GuestError as e:
        check(False, "passwords", str(e))
    finally:
        broker.stop()


def rsa_broker(img, pki, tmpdir):
    """A broker with an RSA certificate (ECDHE-RSA), once with only
    ChaCha20-Poly1305 allowed: the guest connects and samples arrive."""
    for ciphers, name in ((None, "rsa_server_certificate_accepted"),
                          ("ECDHE-RSA-CHACHA20-POLY1305", "rsa_chacha20_poly1305_broker_accepted")):
        port = free_port()
        broker = Broker(tmpdir, port, pki.server_rsa, pki.path("ca1.crt"), ciphers=ciphers).start()
        try:
            sub = broker.subscribe()
            with tls_guest(img, forwards=[], append="mqtt=mqtts://%s:%d %s"
                           % (NAME, port, GUEST_ARGS)) as g:
                g.wait_for(r"mqtt: connected to %s:%d " % (re.escape(NAME), port), timeout=90)
                samples, problems = samples_of(sub, 5, 30)
                check(len(samples) >= 5 and not problems, name, "%d samples" % len(samples))
        except GuestError as e:
            check(False, name, str(e))
        finally:
            broker.stop()


def two_tls_connections(img, pki, tmpdir):
    """MQTT over TLS and an HTTPS scrape at the same time (two TLS contexts, the
    issue's smallest case): both work on the board's default memory."""
    port = free_port()
    broker = Broker(tmpdir, port, pki.server, pki.path("ca1.crt")).start()
    try:
        sub = broker.subscribe()
        with tls_guest(img, forwards=[443], append="mqtt=mqtts://%s:%d metrics.tls=on %s"
                   % (NAME, port, GUEST_ARGS)) as g:
            g.wait_for(r"mqtt: connected to %s:%d " % (re.escape(NAME), port), timeout=90)
            g.wait_for(r"^metrics: https://", timeout=30)
            code, text, err = curl_https(g.port(443), pki.path("ca1.crt"))
            samples, problems = samples_of(sub, 10, 30)
            m = re.search(r"^takt_memory_heap_used_bytes (\d+)$", text, re.M)
            check(code == 200 and len(samples) >= 10 and not problems, "mqtt_tls_and_https_together",
                  "status %s, %d samples, heap %s" % (code, len(samples), m.group(1) if m else "?"))
            src = [l for l in g.output() if l.startswith("tls: random numbers from ")]
            warned = any(l.startswith("tls: WARNING: tls.entropy=weak") for l in g.output())
            check(len(src) == 1 and ("NOT SECURE" in src[0]) == bool(ENTROPY) and warned == bool(ENTROPY),
                  "entropy_source_said", (src or ["no 'tls: random numbers from' line"])[0])
    finally:
        broker.stop()


def no_ca(base):
    """The plain gateway (no CA in the build) refuses mqtts:// at start."""
    try:
        with tls_guest(base, forwards=[], append="mqtt=mqtts://%s" % NAME) as g:
            status = g.wait_exit(60)
            said = any(re.search(r"gateway: mqtts:// needs an image built with TLS", l)
                       for l in g.output())
            check(said and status != 0, "mqtts_without_tls_build_refused", "status %s" % status)
    except GuestError as e:
        check(False, "mqtts_without_tls_build_refused", str(e))


def bad_build_files(base, pki, tmpdir):
    """Wrong files at build time: a configure error that names the problem."""
    junk = os.path.join(tmpdir, "junk.pem")
    with open(junk, "w") as f:
        f.write("not a certificate\n")
    ca = pki.path("ca1.crt")
    cases = [("ca_missing", dict(ca=os.path.join(tmpdir, "nope.crt")), r"no such file \(the CA"),
             ("ca_not_pem", dict(ca=junk), r"not a PEM CA certificate"),
             ("cert_without_key", dict(ca=ca, cert=pki.client[0]), r"go together"),
             ("key_of_another_cert", dict(ca=ca, cert=pki.client[0], key=pki.client2[1]),
              r"is not the key of"),
             ("cert_without_ca", dict(cert=pki.client[0], key=pki.client[1]),
              r"TAKT_TLS_CERT without TAKT_TLS_CA")]
    for name, tls, rx in cases:
        out = os.path.join(tmpdir, "bad-" + name)
        try:
            build_image(base, out, out + ".log", **tls)
            check(False, "build_refuses_" + name, "the build went through")
        except GuestError as e:
            text = re.sub(r"\s+", " ", str(e))
            check(re.search(rx, text) is not None and "CMake Error" in text,
                  "build_refuses_" + name, "" if re.search(rx, text) else text[-400:])
        shutil.rmtree(out, ignore_errors=True)


def curl_https(port, ca, path="/metrics", user="%s:%s" % AUTH, headers=False):
    """(status, body, curl's complaint) of GET https://DEVICE:port/path verified
    against ca, with basic auth as user (None: none)."""
    auth = ["-u", user] if user else []
    r = subprocess.run(["curl", "-sS", "--max-time", "30"] + auth + (["-i"] if headers else []) +
                       ["--cacert", ca, "--resolve",
                        "%s:%d:127.0.0.1" % (DEVICE, port), "-w", "\n%{http_code}",
                        "https://%s:%d%s" % (DEVICE, port, path)], capture_output=True, timeout=60)
    body, _, code = r.stdout.rpartition(b"\n")
    return int(code or 0), body.decode("utf-8", "replace"), r.stderr.decode().strip()


def raw_exchange(port, data):
    """Send data, read until the peer closes: (what came back, closed)."""
    import socket
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(data)
        got = b""
        try:
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    return got, True
                got += chunk
        except ConnectionResetError:
            return got, True
        except socket.timeout:
            return got, False


# The suites issue 15 names for an ECDSA certificate (TLS 1.2, ECDHE, AES-GCM and
# ChaCha20-Poly1305; net/tls/include/takt_mbedtls_config.h), OpenSSL's names.
SUITES = ("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
          "ECDHE-ECDSA-CHACHA20-POLY1305")


def tls_client(port, ca, suite=None, tls13=False):
    """A handshake with the HTTPS server: the suite agreed, or the error."""
    import socket
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(ca)
    ctx.check_hostname = False
    if tls13:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    else:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers(suite)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:
            with ctx.wrap_socket(raw) as t:
                return t.cipher()[0], t.version()
    except (ssl.SSLError, OSError) as e:
        return None, str(e)


def cipher_suites(port, ca):
    """Each configured suite is agreed when it is the only one offered; a CBC
    suite and a TLS 1.3-only client are refused."""
    for suite in SUITES:
        got, version = tls_client(port, ca, suite)
        check(got == suite and version == "TLSv1.2", "suite_" + suite, "%s %s" % (got, version))
    got, why = tls_client(port, ca, "ECDHE-ECDSA-AES128-SHA256")
    check(got is None, "cbc_suite_refused", why[:100])
    got, why = tls_client(port, ca, tls13=True)
    check(got is None, "tls13_only_client_refused", why[:100])


def https_metrics(img, base, pki):
    """metrics.tls=on: curl --cacert reads /metrics, promtool checks it; TLS
    garbage and plain HTTP on the port are closed and counted, and the server
    goes on serving; a client outside metrics.allow is refused."""
    promtool = promtool_path()
    ca = pki.path("ca1.crt")
    url_rx = r"^metrics: https://[0-9.]+:443/metrics"
    with tls_guest(img, forwards=[443], append="metrics.tls=on metrics.allow=10.0.2.2/32") as g:
        g.wait_for(url_rx, timeout=90)
        port = g.port(443)
        code, text, err = curl_https(port, ca)
        check(code == 200 and "takt_uptime_seconds" in text, "https_metrics_with_cacert",
              "status %s %s" % (code, err))
        p = subprocess.run([promtool, "check", "metrics"], input=text.encode(), capture_output=True)
        check(p.returncode == 0 and not (p.stdout + p.stderr).strip(), "https_metrics_pass_promtool",
              (p.stdout + p.stderr).decode()[:300])
        code, text, _ = curl_https(port, ca, user=None, headers=True)
        check(code == 401 and re.search(r"^WWW-Authenticate: Basic realm=\"takt\"", text, re.M | re.I)
              is not None and "takt_uptime" not in text, "basic_auth_required", "status %s" % code)
        code, text, _ = curl_https(port, ca, user="scraper:wrong")
        check(code == 401 and "takt_uptime" not in text, "basic_auth_wrong_password_401",
              "status %s" % code)
        code, _, err = curl_https(port, pki.path("ca2.crt"))
        check(code == 0, "curl_with_other_ca_refuses_server", err[:120])
        got, closed = raw_exchange(port, bytes(range(256)) * 4)
        check(closed, "tls_garbage_closed", "got %r" % got[:40])
        got, closed = raw_exchange(port, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        check(closed and b"takt_" not in got, "plaintext_on_tls_port_closed", "got %r" % got[:40])
        code, text, err = curl_https(port, ca)
        check(code == 200, "https_still_serving_after_garbage", "status %s %s" % (code, err))
        m = re.search(r"^takt_http_tls_failures_total (\d+)$", text, re.M)
        check(m and int(m.group(1)) >= 3, "tls_failures_counted", m.group(0) if m else "absent")
        cipher_suites(port, ca)
    with tls_guest(img, forwards=[443], append="metrics.tls=on metrics.allow=192.168.0.0/16") as g:
        g.wait_for(url_rx, timeout=90)
        code, _, err = curl_https(g.port(443), ca)
        check(code == 0 and g.status is None, "https_client_outside_allow_refused", err[:120])
    for append, rx, name in (
            ("metrics.tls=yes", r"^metrics: bad metrics\.tls=yes \(on or off\); the server stays off",
             "bad_metrics_tls_named"),):
        with tls_guest(img, forwards=[], append=append) as g:
            g.wait_for(rx, timeout=90)
            check(True, name)
    with tls_guest(base, forwards=[], append="metrics.tls=on") as g:
        g.wait_for(r"^metrics: metrics\.tls=on needs an image built with TLS", timeout=90)
        check(True, "https_without_tls_build_named")


def make_pki(tmpdir):
    pki = Pki(os.path.join(tmpdir, "pki"))
    ca1, ca2 = pki.ca("ca1"), pki.ca("ca2")
    pki.server = pki.leaf("server", ca1, NAME)
    pki.server_rsa = pki.leaf("server-rsa", ca1, NAME, rsa=True)
    pki.other = pki.leaf("other", ca1, "10.0.2.3")
    pki.old = pki.leaf("old", ca1, NAME, dates=("20200101000000Z", "20210101000000Z"))
    pki.server2 = pki.leaf("server2", ca2, NAME)
    pki.client = pki.leaf("client", ca1, DEVICE, client=True)	# also its HTTPS certificate
    pki.client2 = pki.leaf("client2", ca2, "gw-tls", server=False)
    return pki, ca1, ca2


def scenario(name, fn, *args):
    try:
        fn(*args)
    except (GuestError, OSError) as e:
        check(False, name, str(e))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True, help="the board's plain gateway build")
    ap.add_argument("--board", required=True)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--weak-entropy", action="store_true",
                    help="a board without an entropy source: boot with tls.entropy=weak")
    a = ap.parse_args()
    global ENTROPY
    ENTROPY = " tls.entropy=weak" if a.weak_entropy else ""
    os.environ["PATH"] += os.pathsep + "/usr/sbin"
    for tool in ("mosquitto", "mosquitto_sub", "mosquitto_passwd", "openssl", "cmake"):
        if not shutil.which(tool):
            check(False, "tools", "%s is not installed" % tool)
            return 1
    tmpdir = tempfile.mkdtemp(prefix="takt-mqtt-tls-")
    try:
        pki, ca1, ca2 = make_pki(tmpdir)
        img_a = build_image(a.build_dir, os.path.join(tmpdir, "a"), os.path.join(tmpdir, "a.log"),
                            ca=ca1[0], cert=pki.client[0], key=pki.client[1], tls_user_="gw",
                            tls_pass_="right", metrics_auth_="%s:%s" % AUTH)
        img_b = build_image(a.build_dir, os.path.join(tmpdir, "b"), os.path.join(tmpdir, "b.log"),
                            ca=ca2[0], cert=pki.client2[0], key=pki.client2[1])
        bad_build_files(a.build_dir, pki, tmpdir)
        scenario("image_a", image_a, img_a, pki, tmpdir)
        scenario("image_b", image_b, img_b, pki, tmpdir)
        scenario("passwords", passwords, img_a, pki, tmpdir)
        scenario("rsa_broker", rsa_broker, img_a, pki, tmpdir)
        scenario("no_ca", no_ca, a.build_dir)
        scenario("https_metrics", https_metrics, img_a, a.build_dir, pki)
        scenario("two_tls_connections", two_tls_connections, img_a, pki, tmpdir)
    except (GuestError, PkiError, OSError) as e:
        check(False, "setup", str(e))
    finally:
        for c in children:
            c.stop()
        if a.keep:
            print("INFO kept %s" % tmpdir)
        else:
            shutil.rmtree(tmpdir, ignore_errors=True)
    print("%s: %d check(s) failed" % (a.board, failures) if failures else "%s: all checks passed"
          % a.board)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
