"""[net] virtio-net and the stack against the host, through QEMU's user
networking: DHCP hands out 10.0.2.15, the host's loopback is 10.0.2.2,
hostfwd carries host connections to the guest.

The guest side is a KTEST_MANUAL case of net/nettest.c picked by name;
the host side is here. A 64 MiB TCP stream goes each way and must arrive
with the same sha256; UDP echoes both ways.
"""

import hashlib
import os
import socket
import threading

from harness import case, vm

BIG = 64 << 20
SEED = b"vireo-net-64MiB"


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def payload(n):
    """n deterministic but incompressible-looking bytes."""
    out = bytearray()
    block = hashlib.sha256(SEED).digest()
    chunk = bytearray()
    while len(chunk) < (1 << 20):
        block = hashlib.sha256(block).digest()
        chunk += block
    while len(out) < n:
        out += chunk
    return bytes(out[:n])


def netdev(fwd=""):
    return ["-netdev", "user,id=n0" + fwd, "-device", "virtio-net-pci,netdev=n0"]


def guest(test, extra_cmdline="", fwd=""):
    return vm(machine="q35", smp=2, extra=netdev(fwd), timeout=120,
              cmdline="console=ttyS0 ip=dhcp panic=-1 test=%s %s" %
              (test, extra_cmdline))


def check_dhcp(v):
    v.expect(r"eth0: dhcp: 10\.0\.2\.15/255\.255\.255\.0 gateway 10\.0\.2\.2")


@case("net/tcp-host-to-guest-64MiB")
def _():
    data = payload(BIG)
    want = hashlib.sha256(data).hexdigest()
    hp = free_port()
    with guest("net_host_sink", "nettest.port=8080",
               ",hostfwd=tcp:127.0.0.1:%d-:8080" % hp) as v:
        check_dhcp(v)
        v.expect(r"NETTEST listening on 8080")
        s = socket.create_connection(("127.0.0.1", hp), timeout=90)
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        got = b""
        while len(got) < 64:
            b = s.recv(64 - len(got))
            if not b:
                break
            got += b
        s.close()
        m = v.expect(r"NETTEST sink bytes=(\d+) sha256=([0-9a-f]{64}) ms=(\d+)\n")
        assert v.wait() == 1, v.tail()
    assert int(m.group(1)) == BIG, m.group(0)
    assert m.group(2) == want and got.decode() == want, (m.group(0), got, want)


class OneShotServer(threading.Thread):
    """Accept one TCP connection on the host loopback and run fn(conn)."""

    def __init__(self, fn):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.sock.settimeout(90)
        self.port = self.sock.getsockname()[1]
        self.fn, self.result, self.error = fn, None, None

    def run(self):
        try:
            conn, _ = self.sock.accept()
            conn.settimeout(90)
            with conn:
                self.result = self.fn(conn)
        except Exception as e:      # reported by the test
            self.error = e
        finally:
            self.sock.close()


@case("net/tcp-guest-fetch-64MiB")
def _():
    data = payload(BIG)
    want = hashlib.sha256(data).hexdigest()
    srv = OneShotServer(lambda c: c.sendall(data))
    srv.start()
    with guest("net_host_fetch", "nettest.port=%d nettest.bytes=%d nettest.sha256=%s"
               % (srv.port, BIG, want)) as v:
        check_dhcp(v)
        m = v.expect(r"NETTEST fetch bytes=(\d+) sha256=([0-9a-f]{64}) ms=")
        status = v.wait()
    srv.join(5)
    assert srv.error is None, srv.error
    assert int(m.group(1)) == BIG and m.group(2) == want, m.group(0)
    assert status == 1, "KTEST failed:\n" + v.tail()


@case("net/tcp-guest-to-host-64MiB")
def _():
    def sink(conn):
        h, n = hashlib.sha256(), 0
        while True:
            b = conn.recv(1 << 20)
            if not b:
                break
            h.update(b)
            n += len(b)
        conn.sendall(("%d %s" % (n, h.hexdigest())).encode())
        return n, h.hexdigest()

    srv = OneShotServer(sink)
    srv.start()
    with guest("net_host_send", "nettest.port=%d nettest.bytes=%d" % (srv.port, BIG)) as v:
        m = v.expect(r"NETTEST send bytes=(\d+) sha256=([0-9a-f]{64}) ms=")
        status = v.wait()
    srv.join(5)
    assert srv.error is None, srv.error
    assert srv.result == (BIG, m.group(2)), (srv.result, m.group(0))
    assert status == 1, "KTEST failed:\n" + v.tail()


@case("net/udp-echo-both-ways")
def _():
    echo = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    echo.bind(("127.0.0.1", 0))
    echo.settimeout(60)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                data, addr = echo.recvfrom(2048)
            except OSError:
                return
            echo.sendto(data, addr)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    hu = free_port(socket.SOCK_DGRAM)
    try:
        with guest("net_udp_echo", "nettest.port=%d nettest.uport=7"
                   % echo.getsockname()[1],
                   ",hostfwd=udp:127.0.0.1:%d-:7" % hu) as v:
            v.expect(r"NETTEST udp guest->host echo ok")
            v.expect(r"NETTEST udp serving on 7")
            c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            c.settimeout(5)
            for i in range(10):
                msg = b"host-%d" % i
                c.sendto(msg, ("127.0.0.1", hu))
                got, _ = c.recvfrom(2048)
                assert got == msg, (got, msg)
            v.expect(r"NETTEST udp host->guest echo served=10")
            c.sendto(b"bye", ("127.0.0.1", hu))
            c.close()
            assert v.wait() == 1, v.tail()
    finally:
        stop.set()
        echo.close()
