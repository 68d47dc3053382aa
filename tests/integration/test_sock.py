"""[net] sockets from userspace: static musl programs and busybox on the
socket system calls (userspace/tests/t_net*.c), in a guest with a
virtio-net device on QEMU's user networking (DHCP gives 10.0.2.15, the
host's loopback is 10.0.2.2, hostfwd carries host connections in).

sock/api checks the calls over loopback. sock/host runs one guest as the
peer of the host: the host fetches pages from busybox httpd in the guest,
the guest downloads from a server on the host (t_net_get and busybox
wget, sha256 checked), UDP echoes both ways, 64 MiB go each way over TCP
and must hash the same on both ends, and busybox ifconfig, route, netstat
and arp read what /proc/net, /sys/class/net and the ioctls say.
"""

import hashlib
import http.server
import os
import socket
import threading
import urllib.request

from harness import case, vm, run, ROOT, BUILD

EXIT_OK = 1       # init exited 0
BIG = 64 << 20
SEED = b"vireo-net-64MiB"
_build_lock = threading.Lock()
_built = []


def initramfs():
    with _build_lock:
        if not _built:
            run("make -s BUILD=%s userspace initramfs" % BUILD)
            _built.append(True)
    return os.path.join(ROOT, BUILD, "initramfs.cpio")


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def chunk():
    """The 1 MiB block the guest builds too (t_net.c payload_chunk)."""
    out, block = bytearray(), hashlib.sha256(SEED).digest()
    while len(out) < (1 << 20):
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out)


def guest(args, fwd="", timeout=180):
    return vm(machine="q35", smp=2, mem="512M", initrd=initramfs(), timeout=timeout,
              extra=["-netdev", "user,id=n0" + fwd,
                     "-device", "virtio-net-pci,netdev=n0"],
              cmdline="console=ttyS0 ip=dhcp rdinit=/test/t_net -- " + args)


@case("sock/api")
def _():
    with guest("api") as v:
        status = v.wait()
    assert "t_net api: PASS" in v.output, v.output[-3000:]
    assert status == EXIT_OK, status


class FileServer(threading.Thread):
    """Serve /file.bin over HTTP on the host loopback."""

    def __init__(self, data):
        super().__init__(daemon=True)

        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path != "/file.bin":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *a):
                pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.srv.server_address[1]

    def run(self):
        self.srv.serve_forever()


def udp_echo_server():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))

    def serve():
        while True:
            try:
                data, addr = s.recvfrom(2048)
                s.sendto(data, addr)
            except OSError:
                return

    threading.Thread(target=serve, daemon=True).start()
    return s


class Sink(threading.Thread):
    """Take one TCP connection, hash all of it, answer the digest."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.sock.settimeout(150)
        self.port = self.sock.getsockname()[1]
        self.result, self.error = None, None

    def run(self):
        try:
            c, _ = self.sock.accept()
            c.settimeout(150)
            h, n = hashlib.sha256(), 0
            while True:
                b = c.recv(1 << 20)
                if not b:
                    break
                h.update(b)
                n += len(b)
            c.sendall(h.hexdigest().encode())
            c.close()
            self.result = (n, h.hexdigest())
        except Exception as e:
            self.error = e
        finally:
            self.sock.close()


@case("sock/host")
def _():
    one = chunk()
    big_sha = hashlib.sha256(one * 64).hexdigest()
    dl = os.urandom(3 << 20)
    dl_sha = hashlib.sha256(dl).hexdigest()
    files = FileServer(dl)
    files.start()
    echo = udp_echo_server()
    sink = Sink()
    sink.start()
    hp, hs, hu = free_port(), free_port(), free_port(socket.SOCK_DGRAM)
    fwd = (",hostfwd=tcp:127.0.0.1:%d-:80,hostfwd=tcp:127.0.0.1:%d-:8080"
           ",hostfwd=udp:127.0.0.1:%d-:7" % (hp, hs, hu))
    try:
        with guest("host %d %s %d %d" % (files.port, dl_sha, echo.getsockname()[1],
                                         sink.port), fwd) as v:
            v.expect(r"eth0: dhcp: 10\.0\.2\.15/255\.255\.255\.0 gateway 10\.0\.2\.2")
            v.expect(r"T_NET ready")
            # The host fetches from busybox httpd in the guest.
            page = urllib.request.urlopen("http://127.0.0.1:%d/index.html" % hp,
                                          timeout=60).read()
            assert page == b"<html><body>vireo httpd says hello</body></html>\n", page
            got = urllib.request.urlopen("http://127.0.0.1:%d/chunk.bin" % hp,
                                         timeout=60).read()
            assert got == one, (len(got), len(one))

            m = v.expect(r"t_net_get: status=(\d+) bytes=(\d+) sha256=([0-9a-f]{64})")
            assert m.group(1) == "200" and int(m.group(2)) == len(dl), m.group(0)
            assert m.group(3) == dl_sha, m.group(0)
            v.expect(r"t_net_get: PASS")
            v.expect(r"%s  /tmp/wget.bin" % dl_sha)

            v.expect(r"T_NET udp guest->host echoed=20")
            m = v.expect(r"T_NET tcp send bytes=(\d+) sha256=([0-9a-f]{64}) ms=(\d+)")
            assert int(m.group(1)) == BIG and m.group(2) == big_sha, m.group(0)

            v.expect(r"T_NET udp serving on 7")
            c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            c.settimeout(10)
            for i in range(10):
                msg = b"host-%d" % i
                c.sendto(msg, ("127.0.0.1", hu))
                data, _ = c.recvfrom(2048)
                assert data == msg, (data, msg)
            c.sendto(b"bye", ("127.0.0.1", hu))
            c.close()
            v.expect(r"T_NET udp host->guest served=10")

            v.expect(r"T_NET tcp listening on 8080")
            s = socket.create_connection(("127.0.0.1", hs), timeout=150)
            for _ in range(64):
                s.sendall(one)
            s.shutdown(socket.SHUT_WR)
            reply = s.recv(64)
            s.close()
            m = v.expect(r"T_NET tcp sink bytes=(\d+) sha256=([0-9a-f]{64}) ms=(\d+)")
            assert int(m.group(1)) == BIG and m.group(2) == big_sha, m.group(0)
            assert reply.decode() == big_sha, reply

            # busybox's view of the interfaces, routes and sockets.
            v.expect(r"eth0\s+Link encap:Ethernet\s+HWaddr 52:54:00:12:34:56")
            v.expect(r"inet addr:10\.0\.2\.15\s+Bcast:10\.0\.2\.255\s+Mask:255\.255\.255\.0")
            v.expect(r"UP BROADCAST RUNNING MULTICAST\s+MTU:1500")
            v.expect(r"lo\s+Link encap:Local Loopback")
            v.expect(r"10\.0\.2\.0\s+0\.0\.0\.0\s+255\.255\.255\.0\s+U\s+0\s+0\s+0\s+eth0")
            v.expect(r"0\.0\.0\.0\s+10\.0\.2\.2\s+0\.0\.0\.0\s+UG\s+0\s+0\s+0\s+eth0")
            v.expect(r"tcp\s+0\s+0\s+0\.0\.0\.0:80\s+0\.0\.0\.0:\*\s+LISTEN")
            v.expect(r"\(10\.0\.2\.2\) at 52:55:0a:00:02:02 \[ether\]\s+on eth0")

            v.expect(r"T_NET tcp listening on 8080")
            s = socket.create_connection(("127.0.0.1", hs), timeout=60)
            s.sendall(b"quit")
            s.shutdown(socket.SHUT_WR)
            s.recv(64)
            s.close()
            status = v.wait()
        out = v.output
        assert "t_net host: PASS" in out, out[-4000:]
        assert status == EXIT_OK, status
        sink.join(5)
        assert sink.error is None, sink.error
        assert sink.result == (BIG, big_sha), sink.result
    finally:
        files.srv.shutdown()
        echo.close()
