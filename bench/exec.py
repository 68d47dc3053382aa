#!/usr/bin/env python3
"""Exec benchmarks with QEMU's translation counts: fork+exec+wait of a
static binary (userspace/bench/forkexec.c) and a program that execs
itself (userspace/bench/execself.c), run from the initramfs by
/test/execbench.sh. Between steps the host reads `info jit` over QMP: the
translated blocks QEMU made and invalidated per operation (code that lands
at new physical addresses is translated again).

With "ext2" the programs run from the ext2 root image instead (a copy of
build/rootfs.ext2, 1 KiB blocks, on virtio-blk).

Not a test: prints the figures of RUNS boots (bench/proc.md).
Usage: bench/exec.py [RUNS] [SMP] [initramfs|ext2]
       (after `make userspace initramfs rootfs`)
"""

import os
import re
import shutil
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
sys.path.insert(0, HERE)
from qemu import VM  # noqa: E402
from compare import jit_stats  # noqa: E402

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
SMP = int(sys.argv[2]) if len(sys.argv) > 2 else 1
ROOTFS = sys.argv[3] if len(sys.argv) > 3 else "initramfs"
BUILD = os.environ.get("BUILD", "build")
STEPS = {
    "forkexec": (200, r"bench fork\+exec\+wait: \d+ runs of \S+, ([\d.]+) us each"),
    "execself": (500, r"bench exec: \d+ execs, ([\d.]+) us each"),
}


def one(tmp):
    res = {}
    script = "/bin/busybox -- sh /test/execbench.sh"
    if ROOTFS == "ext2":
        img = os.path.join(tmp, "root.ext2")
        shutil.copy(os.path.join(BUILD, "rootfs.ext2"), img)
        kw = dict(extra=["-drive", "file=%s,if=none,id=d0,format=raw" % img,
                         "-device", "virtio-blk-pci,drive=d0"],
                  cmdline="console=ttyS0 quiet root=/dev/vda rootfstype=ext2 init=" + script)
    else:
        kw = dict(initrd=os.path.join(BUILD, "initramfs.cpio"),
                  cmdline="console=ttyS0 quiet rdinit=" + script)
    with VM(machine="q35", kernel=os.path.join(BUILD, "vireo.elf"), smp=SMP, mem="256M",
            timeout=300, qmp=True, **kw) as v:
        v.expect(r"MARK start")
        before = jit_stats(v)
        for name, (ops, pat) in STEPS.items():
            v.send("\n")
            v.expect(r"MARK %s" % name)
            after = jit_stats(v)
            m = re.search(pat, v.output)
            res[name] = (float(m.group(1)), (after[0] - before[0]) / ops,
                         (after[1] - before[1]) / ops)
            before = after
        v.send("\n")
        v.wait()
        argv = " ".join(v.argv)
    return res, argv


def main():
    with tempfile.TemporaryDirectory() as tmp:
        runs = [one(tmp) for _ in range(RUNS)]
    print("| q35 -smp %d, %s | µs per op | TBs translated/op | TBs invalidated/op |"
          % (SMP, ROOTFS))
    print("|---|---|---|---|")
    for name in STEPS:
        cells = []
        for i in range(3):
            vals = [r[0][name][i] for r in runs]
            cells.append("%.1f (%.1f-%.1f)" % (statistics.median(vals), min(vals), max(vals)))
        print("| %s | %s |" % (name, " | ".join(cells)))
    print()
    print("    " + runs[0][1])


if __name__ == "__main__":
    main()
