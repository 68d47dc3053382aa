#!/usr/bin/env python3
"""Process hand-offs on Vireo alone, with the counts behind them: the
bench/guest programs that `make bench` runs beside Linux (fork+exit+wait,
fork+exec+wait, pipe ping-pong, context switch pinned to CPU 0), each
between two reads of /proc/interrupts and /proc/stat, so every figure comes
with its rescheduling IPIs (RES), function-call IPIs (CAL), local-timer
interrupts (LOC) and context switches per operation.

Not a test. Several kernels alternate within each round, so they see the
same host load (e.g. main's build and a branch's):

  bench/proc_counts.py [--smp N] [--rounds N] [--kernel ELF ...]

Needs `make kernel userspace bench-guest` (the busybox tree comes from
images/mkroot.sh).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))
from qemu import VM  # noqa: E402

BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
PROGRAMS = ["forkexec exit 2000", "forkexec 2000 /g/nop", "pipe 20000", "pipe ctxsw 20000"]
COUNTS = "cat /proc/interrupts; grep ctxt /proc/stat"


def initramfs(tmp):
    """busybox, the bench/guest programs in /g and a script running them."""
    root = os.path.join(tmp, "root")
    subprocess.check_call(["sh", os.path.join(ROOT, "images", "mkroot.sh"), "--dir", root,
                           os.path.join(BUILD, "userspace")])
    os.makedirs(os.path.join(root, "g"))
    for p in ("forkexec", "pipe", "nop"):
        subprocess.check_call(["cp", os.path.join(BUILD, "bench", "guest", p),
                               os.path.join(root, "g")])
    lines = ["mount -t proc proc /proc"]
    for p in PROGRAMS:
        lines += ["echo '== %s'" % p, COUNTS, "/g/" + p, COUNTS]
    with open(os.path.join(root, "run.sh"), "w") as f:
        f.write("\n".join(lines) + "\n")
    cpio = os.path.join(tmp, "counts.cpio")
    subprocess.check_call("cd %s && find . | cpio -o -H newc --quiet > %s" % (root, cpio),
                          shell=True)
    return cpio


def one(kernel, cpio, smp):
    """{program: (BENCH line, {row: per-op count})} for one boot."""
    with VM(machine="q35", kernel=kernel, initrd=cpio, smp=smp, mem="256M", timeout=300,
            cmdline="console=ttyS0 quiet rdinit=/bin/busybox -- sh /run.sh") as v:
        v.wait()
        out = v.output
    res = {}
    for block in out.split("== ")[1:]:
        name = block.splitlines()[0]
        bench = re.search(r"BENCH(?:-NA)? .*", block)
        ops = re.search(r"ops=(\d+)", block)
        n = int(ops.group(1)) if ops else 1
        first, per_op = {}, {}
        for row, vals in re.findall(r"^ *(\w+):((?: +\d+)+)", block, re.M):
            total = sum(int(x) for x in vals.split())
            if row in first:
                if total != first[row] or row in ("RES", "CAL", "LOC"):
                    per_op[row] = (total - first[row]) / n
            else:
                first[row] = total
        ctxt = [int(x) for x in re.findall(r"^ctxt (\d+)", block, re.M)]
        if len(ctxt) == 2:
            per_op["ctxt"] = (ctxt[1] - ctxt[0]) / n
        res[name] = (bench.group(0) if bench else "(no BENCH line)", per_op)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--kernel", action="append",
                    help="ELF to boot (repeatable; default build/vireo.elf)")
    a = ap.parse_args()
    kernels = a.kernel or [os.path.join(BUILD, "vireo.elf")]
    with tempfile.TemporaryDirectory() as tmp:
        cpio = initramfs(tmp)
        for r in range(a.rounds):
            for k in kernels:
                with open("/proc/loadavg") as f:
                    load = f.read().split()[0]
                print("### %s, -smp %d, round %d, host load %s" % (k, a.smp, r + 1, load))
                for name, (bench, per_op) in one(k, cpio, a.smp).items():
                    counts = ", ".join("%s %.2f" % kv for kv in sorted(per_op.items()))
                    print("  %-22s %s\n  %22s per op: %s" % (name, bench, "", counts))
                sys.stdout.flush()


if __name__ == "__main__":
    main()
