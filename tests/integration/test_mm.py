"""[memory]: all of -m found and mapped, a stack overflow named in the
panic, slab debug on for tests and off on request."""

import re

from harness import case, vm, lines_in_order

EXIT_PASS = 1     # isa-debug-exit: status 0 -> QEMU exit 1


def finds_all_memory(machine, mem, mib, top):
    """Boot with -m mem; the kernel's RAM count, its highest address and
    the fw_cfg cross-check in mm_finds_all_memory must agree with it."""
    with vm(machine=machine, mem=mem, smp=2,
            cmdline="console=ttyS0 test=mm_finds_all_memory,mm_pmm_exhaust_all_frames "
                    "panic=-1", timeout=180) as v:
        m = v.expect(r"mm: (\d+) MiB RAM in \d+ ranges, highest address "
                     r"(0x[0-9a-f]+), all direct-mapped")
        assert mib - 2 <= int(m.group(1)) <= mib, m.group(0)
        assert int(m.group(2), 16) == top, m.group(0)
        # Tests run in source order: the exhaustion test first.
        v.expect(r"KTEST PASS mm_pmm_exhaust_all_frames")
        v.expect(r"QEMU -m %d MiB" % mib)
        v.expect(r"KTEST PASS mm_finds_all_memory")
        v.expect(r"KTEST SUMMARY passed=2 failed=0")
        assert v.wait() == EXIT_PASS


@case("mm/memory/q35-64M")
def _():
    # SeaBIOS keeps 0x3fdf000-0x3ffffff for its tables.
    finds_all_memory("q35", "64M", 64, 0x3fdefff)


@case("mm/memory/q35-4G")
def _():
    # 2 GiB below the PCI hole, 2 GiB above 4 GiB.
    finds_all_memory("q35", "4G", 4096, 0x17fffffff)


@case("mm/memory/microvm-4G")
def _():
    finds_all_memory("microvm", "4G", 4096, 0x13fffffff)


@case("mm/kstack-overflow-panics")
def _():
    # Outside any trap catch an overflow is fatal, and says what it was.
    with vm(cmdline="console=ttyS0 test=mm_kstack_overflow_panics panic=-1") as v:
        v.expect(r"---\[ end Kernel panic")
        assert v.wait() == 0
        lines_in_order(v.output, [
            "#DF double fault (vector 8)",
            "is in the guard below the stack [0xffffc0",
            "Call trace:", "recurse",
            "Kernel panic - not syncing: fatal exception: #DF double fault "
            "(kernel stack overflow)"])


@case("mm/slab-debug-flag")
def _():
    # On with `test`, off with slab_debug=0.
    with vm(cmdline="console=ttyS0 test=ksyms_* panic=-1") as v:
        v.expect(r"mm: pages .* slab debug on")
        assert v.wait() == EXIT_PASS
    with vm(cmdline="console=ttyS0 test=ksyms_* slab_debug=0 panic=-1") as v:
        v.expect(r"mm: pages .* slab debug off")
        assert v.wait() == EXIT_PASS
