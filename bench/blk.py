#!/usr/bin/env python3
"""virtio-blk throughput: Vireo's `bench=blk` and a Linux guest, same QEMU line.

Not a test: prints the figures of bench/blk.md (a Markdown table) and the
exact command lines. Both guests read the same 64 MiB raw disk (vda,
file-backed, QEMU's defaults: cache=writeback, aio=threads) with the same
workloads: sequential 128 KiB reads at queue depth 1 and 4, and 4 KiB
random reads at depth 1 and 32.

  Vireo: virtio/blk_bench.c, through the block layer (block_submit),
         kicks and interrupts counted in the driver and per MSI-X vector;
  Linux: Debian's kernel (bench/linux_guest.py) running bench/blkread.c,
         O_DIRECT + native AIO; interrupts from /proc/interrupts (Linux
         does not count kicks).

Usage: bench/blk.py [SMP ...]   (default: 1 2)
"""

import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, HERE)
from qemu import VM  # noqa: E402
import linux_guest  # noqa: E402

OUT = os.path.join(ROOT, "build", "bench")
DISK = os.path.join(OUT, "blk-64M.img")
KERNEL = os.environ.get("KERNEL", os.path.join(ROOT, "build", "vireo.elf"))
# (name, bytes per request, depth, requests; 0 = the whole disk)
RUNS = [("seq-read", 131072, 1, 0), ("seq-read", 131072, 4, 0),
        ("rand-read", 4096, 1, 5000), ("rand-read", 4096, 32, 20000)]


def disk():
    if not os.path.exists(DISK) or os.path.getsize(DISK) != 64 << 20:
        os.makedirs(OUT, exist_ok=True)
        chunk = os.urandom(1 << 20)
        with open(DISK, "wb") as f:
            for i in range(64):
                f.write(chunk[i:] + chunk[:i])   # no two MiB alike
    return ["-drive", "file=%s,format=raw,if=none,id=d0" % DISK,
            "-device", "virtio-blk-pci,drive=d0"]


def vireo(smp):
    with VM(machine="q35", kernel=KERNEL, cmdline="console=ttyS0 bench=blk",
            smp=smp, extra=disk(), timeout=300) as v:
        v.wait()
        out, argv = v.output, v.argv
    res = {}
    for m in re.finditer(r"BENCH blk (\S+) bs=(\d+) qd=(\d+) n=\d+ ([\d.]+) MB/s "
                         r"(\d+) IOPS kicks/req ([\d.]+) irqs/req ([\d.]+)", out):
        res[(m.group(1), int(m.group(2)), int(m.group(3)))] = (
            float(m.group(4)), int(m.group(5)), m.group(6), m.group(7))
    if not res:
        raise SystemExit("no BENCH lines from Vireo:\n" + out[-3000:])
    return res, argv


def linux(smp):
    prog = os.path.join(OUT, "blkread")
    subprocess.run(["musl-gcc", "-static", "-O2", "-idirafter",
                    os.path.join(ROOT, "build", "include"),
                    os.path.join(HERE, "blkread.c"), "-o", prog], check=True)
    lines = []
    for name, bs, qd, n in RUNS:
        mode = "rand" if name.startswith("rand") else "seq"
        # The initramfs links only a few applets: call busybox by name.
        lines += ["busybox sed -n '/req/s/^/IRQ0 /p' /proc/interrupts",
                  "/bin/blkread /dev/vda %d %d %d %s" % (bs, qd, n, mode),
                  "busybox sed -n '/req/s/^/IRQ1 /p' /proc/interrupts"]
    # A warm-up pass first, as Vireo does.
    script = "/bin/blkread /dev/vda 4096 1 200 rand >/dev/null\n" + "\n".join(lines)
    initrd = linux_guest.initramfs(os.path.join(OUT, "linux-blk.cpio"),
                                   files={"/bin/blkread": prog}, script=script)
    img, _ = linux_guest.kernel()
    with VM(machine="q35", kernel=img, initrd=initrd, smp=smp, extra=disk(),
            cmdline="console=ttyS0 quiet panic=-1", timeout=600) as v:
        v.wait()
        out, argv = v.output, v.argv
    # Per run: IRQ0 lines (interrupt counts before), the result line,
    # IRQ1 lines (after); sum every CPU column of the virtio request queues.
    res, irq, pending = {}, {"0": 0, "1": 0}, None
    for line in out.splitlines() + ["END"]:
        if pending and (line == "END" or line.startswith("IRQ0") or " bs=" in line):
            key, mbs, iops, reqs = pending
            res[key] = (mbs, iops, "-", "%.2f" % ((irq["1"] - irq["0"]) / reqs))
            pending, irq = None, {"0": 0, "1": 0}
        m = re.match(r"IRQ([01])\s+\d+:\s+([\d\s]+?)\s+[A-Za-z]", line)
        if m:
            irq[m.group(1)] += sum(int(x) for x in m.group(2).split())
            continue
        m = re.match(r"(\S+) bs=(\d+) qd=(\d+) n=(\d+) ([\d.]+) MB/s (\d+) IOPS", line)
        if m:
            pending = ((m.group(1), int(m.group(2)), int(m.group(3))),
                       float(m.group(5)), int(m.group(6)), int(m.group(4)))
    if not res:
        raise SystemExit("no results from the Linux guest:\n" + out[-3000:])
    return res, argv


def main():
    smps = [int(a) for a in sys.argv[1:]] or [1, 2]
    cmdlines = []
    print("| workload | -smp | Vireo MB/s | Vireo IOPS | kicks/req | irqs/req "
          "| Linux MB/s | Linux IOPS | Linux irqs/req |")
    print("|---|---|---|---|---|---|---|---|---|")
    for smp in smps:
        v, vargv = vireo(smp)
        try:
            lx, largv = linux(smp)
        except (OSError, KeyError, subprocess.CalledProcessError) as e:
            lx, largv = {}, ["(no Linux guest: %s)" % e]
        cmdlines += [vargv, largv]
        for name, bs, qd, _ in RUNS:
            key = (name, bs, qd)
            a = v.get(key, (0, 0, "-", "-"))
            b = lx.get(key, (0, 0, "-", "-"))
            print("| %s %d KiB qd %d | %d | %.1f | %d | %s | %s | %.1f | %d | %s |" % (
                name, bs // 1024, qd, smp, a[0], a[1], a[2], a[3],
                b[0], b[1], b[3]))
    print("\nCommand lines:\n")
    for argv in cmdlines:
        print("- `%s`" % " ".join(argv))


if __name__ == "__main__":
    main()
