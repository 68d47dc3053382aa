#!/usr/bin/env python3
"""ext2 through the VFS in Vireo: file creates per second, sequential
write and read MB/s, cold versus cached reads (fs/ext2/bench.c).

Not a test: boots `bench=ext2` with an empty ext2 image (4 KiB blocks) on
virtio-blk and prints the kernel's EXT2BENCH lines and the QEMU command.
Usage: bench/ext2.py [RUNS] (environment: ACCEL=tcg|kvm, SMP, MEM)
"""

import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(ROOT, "tests"))
from qemu import VM  # noqa: E402

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
KERNEL = os.environ.get("KERNEL", os.path.join(ROOT, "build", "vireo.elf"))


def one(tmp):
    img = os.path.join(tmp, "bench.img")
    if os.path.exists(img):
        os.unlink(img)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", "4096", img,
                    "128M"], check=True)
    extra = ["-drive", "file=%s,format=raw,if=none,id=d0,cache=writeback" % img,
             "-device", "virtio-blk-pci,drive=d0"]
    with VM(machine="q35", kernel=KERNEL, smp=int(os.environ.get("SMP", 2)),
            mem=os.environ.get("MEM", "512M"),
            accel=os.environ.get("ACCEL", "tcg"), extra=extra,
            cmdline="console=ttyS0 bench=ext2", timeout=300) as v:
        v.expect(r"EXT2BENCH (done|failed)")
        v.wait()
        out, argv = v.output, " ".join(v.argv)
    p = subprocess.run(["e2fsck", "-fn", img], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    return [l.split("EXT2BENCH ", 1)[1] for l in out.splitlines()
            if "EXT2BENCH" in l], argv, p.returncode


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(RUNS):
            lines, argv, fsck = one(tmp)
            print("run %d (e2fsck -fn afterwards: %s):" %
                  (r + 1, "clean" if fsck == 0 else "exit %d" % fsck))
            for l in lines:
                print("  " + l)
        print("QEMU: " + re.sub(r"file=\S*bench\.img", "file=bench.img", argv))


if __name__ == "__main__":
    main()
