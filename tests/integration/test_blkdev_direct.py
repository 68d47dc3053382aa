"""[bench] #11: block device files read and written straight from user
pages (O_DIRECT, vfs/blkdev.c): userspace/tests/t_blkdev.c runs as PID 1
against a pattern disk (vdb) and a zeroed scratch disk (vda); here the
pattern image's hash is compared with what the guest read, and the
scratch image must hold exactly what the guest wrote."""

import hashlib
import os
import re
import struct
import threading

from harness import case, vm, run, ROOT, BUILD

TEST_DIR = os.path.join(ROOT, BUILD, "test")
PATTERN_SECTORS = 32768                 # 16 MiB
SCRATCH_SECTORS = 16384                 # 8 MiB
XOR = 0x5a5a5a5a5a5a5a5a
MASK = (1 << 64) - 1
# t_blkdev.c's scratch_writes (sector, count), plus its copy-on-write
# page write of 8 sectors at 4000.
WRITES = [(0, 256), (300, 24), (2048, 520), (4000, 8)]
EXIT_OK = 1
_build_lock = threading.Lock()
_built = []


def initramfs():
    with _build_lock:
        if not _built:
            run("make -s BUILD=%s userspace initramfs" % BUILD)
            _built.append(True)
    return os.path.join(ROOT, BUILD, "initramfs.cpio")


def pattern(s):
    return (s * 0x9e3779b97f4a7c15 + 0x0123456789abcdef) & MASK


def sector(value):
    return struct.pack("<Q", value) * 64


def fnv1a(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & MASK
    return h


@case("blkdev/o-direct-user-pages")
def _():
    os.makedirs(TEST_DIR, exist_ok=True)
    pat = os.path.join(TEST_DIR, "blkdev-direct-pattern.img")
    scr = os.path.join(TEST_DIR, "blkdev-direct-scratch.img")
    data = b"".join(sector(pattern(s)) for s in range(PATTERN_SECTORS))
    with open(pat, "wb") as f:
        f.write(data)
    with open(scr, "wb") as f:
        f.truncate(SCRATCH_SECTORS * 512)
    extra = []
    for i, path in enumerate((scr, pat)):
        extra += ["-drive", "file=%s,format=raw,if=none,id=d%d" % (path, i),
                  "-device", "virtio-blk-pci,drive=d%d" % i]
    with vm(machine="q35", smp=2, initrd=initramfs(), extra=extra, timeout=240,
            cmdline="console=ttyS0 rdinit=/test/t_blkdev -- /dev/vdb /dev/vda") as v:
        status = v.wait()
        out = v.output
    assert "t_blkdev: PASS" in out, out[-3000:]
    assert status == EXIT_OK, status
    m = re.search(r"t_blkdev: pattern fnv1a=([0-9a-f]{16}) bytes=(\d+)", out)
    assert m, out[-2000:]
    assert int(m.group(2)) == len(data)
    # Hashed in chunks of the same stream: the guest read all of it.
    assert int(m.group(1), 16) == fnv1a(data), "guest read other bytes"
    with open(pat, "rb") as f:
        assert hashlib.sha256(f.read()).digest() == hashlib.sha256(data).digest()
    want = bytearray(SCRATCH_SECTORS * 512)
    for s0, n in WRITES:
        for s in range(s0, s0 + n):
            want[s * 512:(s + 1) * 512] = sector(pattern(s) ^ XOR)
    with open(scr, "rb") as f:
        got = f.read()
    os.unlink(scr)
    os.unlink(pat)
    assert got == bytes(want), "scratch differs at sector %d" % (next(
        i for i in range(len(want)) if got[i] != want[i]) // 512)
