"""The host ends that bench/net.py (in-kernel `bench=net`) and
bench/net_user.py (the same from userspace) measure against: a UDP echo,
a UDP sink that counts datagrams, a TCP sink that answers "done" after
the guest's EOF, and the host -> guest TCP source through `hostfwd`."""

import socket
import threading


def bound(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    return s


def free_port():
    s = bound(socket.SOCK_STREAM)
    p = s.getsockname()[1]
    s.close()
    return p


class HostEnds:
    """The three listeners on the host loopback, each served by a daemon
    thread; ports in udp_echo_port, udp_sink_port, tcp_sink_port and the
    sink's datagram count in udp_got."""

    def __init__(self):
        self._echo = bound(socket.SOCK_DGRAM)
        self._sink = bound(socket.SOCK_DGRAM)
        self._tcp = bound(socket.SOCK_STREAM)
        self._tcp.listen(1)
        self.udp_echo_port = self._echo.getsockname()[1]
        self.udp_sink_port = self._sink.getsockname()[1]
        self.tcp_sink_port = self._tcp.getsockname()[1]
        self.udp_got = 0
        for fn in (self._serve_echo, self._serve_sink, self._serve_tcp):
            threading.Thread(target=fn, daemon=True).start()

    def _serve_echo(self):
        while True:
            d, a = self._echo.recvfrom(2048)
            self._echo.sendto(d, a)

    def _serve_sink(self):
        while True:
            self._sink.recvfrom(2048)
            self.udp_got += 1

    def _serve_tcp(self):
        c, _ = self._tcp.accept()
        while c.recv(1 << 20):
            pass
        c.sendall(b"done")
        c.close()


def send_to_guest(port, mib):
    """Host -> guest: mib MiB to the forwarded port, then wait for the
    guest's 4-byte answer."""
    c = socket.create_connection(("127.0.0.1", port), timeout=120)
    buf = bytes(1 << 20)
    for _ in range(mib):
        c.sendall(buf)
    c.shutdown(socket.SHUT_WR)
    c.recv(4)
    c.close()
