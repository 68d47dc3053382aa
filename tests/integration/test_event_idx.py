"""[virtio] VIRTIO_RING_F_EVENT_IDX on and off: QEMU's `event_idx` device
property decides whether the device offers it, and every queue must work
either way (event indices, or the NO_NOTIFY / NO_INTERRUPT flags).

One boot per setting with virtio-blk, virtio-net and virtio-rng, running
the manual KTESTs by name: virtio_event_idx_negotiated (virtio/
virtio_test.c: negotiated exactly when offered), virtio_rng_bytes_vary,
blk_pattern_read (virtio/blk_test.c, on a pattern disk as vda) and, in
net/nettest.c's order, net_host_fetch (host -> guest) then net_host_send
(guest -> host: the transmit path's burst kicks), each stream checked by
sha256 on both ends.
"""

import hashlib
import os
import socket
import struct
import threading

from harness import case, vm, ROOT, BUILD

TEST_DIR = os.path.join(ROOT, BUILD, "test")
SECTORS = 8192                          # 4 MiB
STREAM = 8 << 20
MASK = (1 << 64) - 1
TESTS = ("virtio_event_idx_negotiated,virtio_rng_bytes_vary,blk_pattern_read,"
         "net_host_fetch,net_host_send")


def pattern_disk(name):
    """vda as virtio/blk_test.c's blk_pattern_read expects it (the formula
    of tests/integration/test_blk.py): sector s is 64 copies of the
    little-endian u64 pattern(s)."""
    os.makedirs(TEST_DIR, exist_ok=True)
    path = os.path.join(TEST_DIR, "event-idx-%s.img" % name)
    with open(path, "wb") as f:
        for s in range(SECTORS):
            f.write(struct.pack("<Q", (s * 0x9e3779b97f4a7c15 + 0x0123456789abcdef)
                                & MASK) * 64)
    return path


class Host(threading.Thread):
    """The host end on 127.0.0.1: the first connection (net_host_fetch)
    gets `data`, the second (net_host_send) is drained and answered with
    its byte count and sha256."""

    def __init__(self, data):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(2)
        self.sock.settimeout(90)
        self.port = self.sock.getsockname()[1]
        self.data, self.received, self.error = data, None, None

    def run(self):
        try:
            conn, _ = self.sock.accept()
            with conn:
                conn.sendall(self.data)
            conn, _ = self.sock.accept()
            conn.settimeout(90)
            with conn:
                h, n = hashlib.sha256(), 0
                while True:
                    b = conn.recv(1 << 20)
                    if not b:
                        break
                    h.update(b)
                    n += len(b)
                conn.sendall(("%d %s" % (n, h.hexdigest())).encode())
                self.received = (n, h.hexdigest())
        except Exception as e:      # reported by the test
            self.error = e
        finally:
            self.sock.close()


def run(setting):
    opt = ",event_idx=" + setting
    data = (hashlib.sha256(b"event-idx").digest() * (STREAM // 32))[:STREAM]
    want = hashlib.sha256(data).hexdigest()
    host = Host(data)
    host.start()
    disk = pattern_disk(setting)
    extra = ["-drive", "file=%s,format=raw,if=none,id=d0" % disk,
             "-device", "virtio-blk-pci,drive=d0" + opt,
             "-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0" + opt,
             "-device", "virtio-rng-pci" + opt]
    cmdline = ("console=ttyS0 ip=dhcp panic=-1 test=%s nettest.port=%d "
               "nettest.bytes=%d nettest.sha256=%s" % (TESTS, host.port, STREAM, want))
    with vm(machine="q35", smp=2, extra=extra, timeout=120, cmdline=cmdline) as v:
        status = v.wait()
        out = v.output
    host.join(5)
    os.unlink(disk)
    assert status == 1, "KTEST failed:\n" + "\n".join(out.splitlines()[-40:])
    assert "KTEST SUMMARY passed=%d failed=0" % len(TESTS.split(",")) in out, out
    offered = "1" if setting == "on" else "0"
    for dev in ("virtio_blk", "virtio_net", "virtio_rng"):
        line = "driver=%s event_idx offered=%s negotiated=%s" % (dev, offered, offered)
        assert line in out, (line, out)
    assert "NETTEST fetch bytes=%d sha256=%s" % (STREAM, want) in out, out
    assert host.error is None, host.error
    sent = [ln for ln in out.splitlines() if "NETTEST send bytes=" in ln]
    assert sent and host.received and \
        "bytes=%d sha256=%s" % host.received in sent[0], (sent, host.received)


@case("virtio/event-idx-on")
def _():
    run("on")


@case("virtio/event-idx-off")
def _():
    run("off")
