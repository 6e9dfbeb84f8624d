"""Small peers on the host's loopback for the network tests: TCP and UDP echo
on one port number, and a DNS server answering A queries from a table
(NXDOMAIN otherwise). Each runs in a daemon thread until stop()."""

import socket
import socketserver
import struct
import threading


class _TcpEcho(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            data = self.request.recv(4096)
            if not data:
                return
            self.request.sendall(data)


class _Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


class Echo:
    """TCP and UDP echo on 127.0.0.1, the same port number for both."""

    def __init__(self):
        for _ in range(20):
            self.tcp = _Server(("127.0.0.1", 0), _TcpEcho)
            self.port = self.tcp.server_address[1]
            self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                self.udp.bind(("127.0.0.1", self.port))
                break
            except OSError:
                self.tcp.server_close()
                self.udp.close()
        else:
            raise OSError("no port free for both TCP and UDP echo")
        self.udp.settimeout(0.5)
        self.running = True
        threading.Thread(target=self.tcp.serve_forever, daemon=True).start()
        threading.Thread(target=self._udp_loop, daemon=True).start()

    def _udp_loop(self):
        while self.running:
            try:
                data, peer = self.udp.recvfrom(2048)
            except socket.timeout:
                continue
            except OSError:
                return
            self.udp.sendto(data, peer)

    def stop(self):
        self.running = False
        self.tcp.shutdown()
        self.tcp.server_close()
        self.udp.close()


def dns_answer(query, table):
    """The reply to one DNS query (bytes): A records from table, else NXDOMAIN;
    None for something that is not a standard query."""
    if len(query) < 12:
        return None
    qid, flags, qd = struct.unpack(">HHH", query[:6])
    if flags & 0x8000 or qd != 1:
        return None
    labels, i = [], 12
    while i < len(query) and query[i]:
        n = query[i]
        labels.append(query[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    question = query[12:i + 5]
    qtype = struct.unpack(">H", query[i + 1:i + 3])[0] if i + 3 <= len(query) else 0
    name = ".".join(labels).lower()
    addr = table.get(name)
    if addr is None or qtype != 1:
        return struct.pack(">HHHHHH", qid, 0x8183, 1, 0, 0, 0) + question
    answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton(addr)
    return struct.pack(">HHHHHH", qid, 0x8180, 1, 1, 0, 0) + question + answer


class Dns:
    """A DNS server on 127.0.0.1:53 (the guest reaches it as 10.0.2.2:53)."""

    def __init__(self, table, port=53):
        self.table = {k.lower(): v for k, v in table.items()}
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.settimeout(0.5)
        self.queries = []
        self.running = True
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self):
        while self.running:
            try:
                q, peer = self.sock.recvfrom(512)
            except socket.timeout:
                continue
            except OSError:
                return
            reply = dns_answer(q, self.table)
            if reply:
                self.queries.append(q)
                self.sock.sendto(reply, peer)

    def stop(self):
        self.running = False
        self.sock.close()


def closed_port():
    """A TCP port on 127.0.0.1 with nothing listening (connects are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
