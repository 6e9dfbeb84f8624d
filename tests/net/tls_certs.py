"""Test certificates made with openssl (the command) into a folder: two CAs,
and leaf certificates signed by either, for a DNS name, valid now or over
given dates. EC P-256 keys, SHA-256 signatures: what Takt's mbedTLS
configuration takes (net/tls/include/takt_mbedtls_config.h).

    pki = Pki(tmpdir)
    ca = pki.ca("ca1")                          # ca.crt, ca.key paths
    srv = pki.leaf("server", ca, "broker.takt.test", server=True)
    old = pki.leaf("old", ca, "broker.takt.test", server=True,
                   dates=("20200101000000Z", "20210101000000Z"))
"""

import os
import subprocess


class PkiError(Exception):
    pass


CA_CNF = """[ca]
default_ca = ca_default
[ca_default]
dir = {dir}
database = {dir}/index.txt
new_certs_dir = {dir}
serial = {dir}/serial
default_md = sha256
policy = policy_any
copy_extensions = none
unique_subject = no
[policy_any]
commonName = supplied
[ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = {eku}
subjectAltName = DNS:{name}
"""


class Pki:
    def __init__(self, folder):
        self.dir = folder
        os.makedirs(folder, exist_ok=True)

    def _run(self, *args):
        r = subprocess.run(["openssl"] + list(args), stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, cwd=self.dir)
        if r.returncode:
            raise PkiError("openssl %s failed:\n%s" % (" ".join(args), r.stdout.decode()))

    def path(self, name):
        return os.path.join(self.dir, name)

    def key(self, name, rsa=False):
        k = self.path(name + ".key")
        if rsa:
            self._run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                      "-out", k)
        else:
            self._run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                      "-out", k)
        return k

    def ca(self, name):
        """A self-signed CA: (certificate, key)."""
        k = self.key(name)
        c = self.path(name + ".crt")
        self._run("req", "-x509", "-new", "-key", k, "-sha256", "-days", "3650",
                  "-subj", "/CN=Takt test %s" % name, "-out", c,
                  "-addext", "basicConstraints=critical,CA:TRUE",
                  "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        return c, k

    def leaf(self, name, ca, dns, server=True, dates=None, client=False, rsa=False):
        """A certificate for dns signed by ca ((cert, key) of Pki.ca): (cert, key),
        for a server, a client (server=False) or both (client=True too).
        dates: (notBefore, notAfter) as YYYYMMDDHHMMSSZ, else now .. a year.
        rsa: an RSA-2048 key, else ECDSA P-256."""
        k = self.key(name, rsa)
        csr = self.path(name + ".csr")
        self._run("req", "-new", "-key", k, "-subj", "/CN=%s" % dns, "-out", csr)
        sub = self.path("ca-" + name)
        os.makedirs(sub, exist_ok=True)
        open(os.path.join(sub, "index.txt"), "w").close()
        with open(os.path.join(sub, "serial"), "w") as f:
            f.write("%x\n" % (0x1000 + len(os.listdir(self.dir))))
        cnf = os.path.join(sub, "ca.cnf")
        with open(cnf, "w") as f:
            f.write(CA_CNF.format(dir=sub, name=dns, eku=",".join(
                (["serverAuth"] if server else []) + (["clientAuth"] if client or not server
                                                      else []))))
        c = self.path(name + ".crt")
        start, end = dates or (None, None)
        when = ["-startdate", start, "-enddate", end] if dates else ["-days", "365"]
        self._run("ca", "-batch", "-config", cnf, "-extensions", "ext", "-cert", ca[0],
                  "-keyfile", ca[1], "-in", csr, "-out", c, "-notext", *when)
        return c, k
