"""[vfs]: devfs block device nodes: /dev/vda read and written as a file at
unaligned offsets (KTEST_MANUAL devfs_blockdev_file_rw), the image then
checked byte for byte on the host."""

import os

from harness import case, vm, ROOT, BUILD

EXIT_PASS = 1
SECTORS = 2048


@case("devfs/blockdev-file-unaligned-rw")
def _():
    d = os.path.join(ROOT, BUILD, "test")
    os.makedirs(d, exist_ok=True)
    img = os.path.join(d, "devfs-blockdev.img")
    with open(img, "wb") as f:
        f.truncate(SECTORS * 512)
    extra = ["-drive", "file=%s,format=raw,if=none,id=d0" % img,
             "-device", "virtio-blk-pci,drive=d0"]
    with vm(machine="q35", smp=2, extra=extra, timeout=120,
            cmdline="console=ttyS0 test=devfs_blockdev_file_rw panic=-1") as v:
        v.expect(r"KTEST SUMMARY passed=1 failed=0")
        assert v.wait() == EXIT_PASS
    want = bytearray(SECTORS * 512)
    msg = b"written through /dev/vda at byte 1000"
    want[1000:1000 + len(msg)] = msg
    want[4096 + 510:4096 + 510 + 5000] = b"\x5a" * 5000
    want[-2:] = b"ta"
    with open(img, "rb") as f:
        got = f.read()
    os.unlink(img)
    assert got == bytes(want), "image differs at byte %d" % next(
        i for i in range(len(want)) if got[i] != want[i])
