#!/usr/bin/env python3
"""Boot time: QEMU start to the kernel banner, and to the end of boot.

Not a test: prints a Markdown table (median and spread of N runs) with the
exact QEMU command lines. Usage: bench/boot.py [RUNS]
"""

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests"))
from qemu import VM  # noqa: E402

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 9
KERNEL = os.environ.get("KERNEL", "build/vireo.elf")
CMDLINE = "console=ttyS0 test=ksyms_* panic=-1"


def one(machine):
    t0 = time.monotonic()
    with VM(machine=machine, kernel=KERNEL, cmdline=CMDLINE, smp=1,
            mem="256M", timeout=60) as v:
        v.expect(r"Vireo \d+\.\d+\.\d+ .* booting")
        banner = time.monotonic() - t0
        v.expect(r"KTEST SUMMARY")
        done = time.monotonic() - t0
        v.wait()
        return banner, done, " ".join(v.argv)


def main():
    print("| machine (TCG) | QEMU start -> banner, median | min-max | "
          "-> boot done (tests run), median |")
    print("|---|---|---|---|")
    lines = {}
    for machine in ("microvm", "q35", "pc"):
        res = [one(machine) for _ in range(RUNS)]
        banner = [r[0] * 1000 for r in res]
        done = [r[1] * 1000 for r in res]
        lines[machine] = res[0][2]
        print("| %s | %.0f ms | %.0f-%.0f ms | %.0f ms |" % (
            machine, statistics.median(banner), min(banner), max(banner),
            statistics.median(done)))
    print("\n%d runs each. Command lines:\n" % RUNS)
    for m, argv in lines.items():
        print("- %s: `%s`" % (m, argv))


if __name__ == "__main__":
    main()
