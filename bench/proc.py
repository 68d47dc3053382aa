#!/usr/bin/env python3
"""Process benchmarks: getppid round trip, fork+exec+wait of a static
binary, pipe ping-pong (userspace/bench/*.c, static musl), run as
`rdinit=/bin/busybox -- sh /test/bench.sh` from the initramfs.

Not a test: prints the figures of RUNS boots per machine and -smp.
Usage: bench/proc.py [RUNS]   (after `make userspace initramfs`)
"""

import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests"))
from qemu import VM  # noqa: E402

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
BUILD = os.environ.get("BUILD", "build")
KERNEL = os.path.join(BUILD, "vireo.elf")
INITRD = os.path.join(BUILD, "initramfs.cpio")
PATTERNS = {
    "getppid (ns/call)": r"bench getppid: \d+ calls, ([\d.]+) ns/call",
    "fork+exec+wait (us)": r"bench fork\+exec\+wait: \d+ runs of \S+, ([\d.]+) us each",
    "pipe ping-pong (us/round trip)": r"bench pipe ping-pong: \d+ round trips, ([\d.]+) us each",
}


def one(machine, smp):
    with VM(machine=machine, kernel=KERNEL, initrd=INITRD, smp=smp, mem="256M",
            timeout=300, cmdline="console=ttyS0 rdinit=/bin/busybox -- sh /test/bench.sh") as v:
        v.wait()
        out = v.output
        argv = " ".join(v.argv)
    res = {}
    for name, pat in PATTERNS.items():
        m = re.search(pat, out)
        if not m:
            raise SystemExit("no %r in output:\n%s" % (name, out[-2000:]))
        res[name] = float(m.group(1))
    return res, argv


def main():
    print("| machine (TCG), -smp | " + " | ".join(PATTERNS) + " |")
    print("|---|" + "---|" * len(PATTERNS))
    argvs = []
    for machine, smp in (("q35", 1), ("q35", 2), ("microvm", 1)):
        runs = [one(machine, smp) for _ in range(RUNS)]
        argvs.append(runs[0][1])
        cells = []
        for name in PATTERNS:
            vals = [r[0][name] for r in runs]
            cells.append("%.1f (%.1f-%.1f)" % (statistics.median(vals), min(vals), max(vals)))
        print("| %s, %d | %s |" % (machine, smp, " | ".join(cells)))
    print()
    for a in argvs:
        print("    " + a)


if __name__ == "__main__":
    main()
