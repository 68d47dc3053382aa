"""[boot]: both boot paths on every machine, the console, power off, traps."""

import os
import re

from harness import case, vm, iso, run, lines_in_order, ROOT, BUILD

# isa-debug-exit: status 0 -> QEMU exit 1, status 1 -> 3.
EXIT_PASS, EXIT_FAIL = 1, 3
QUICK = "console=ttyS0 test=ksyms_* panic=-1"


def boots_and_passes(v, proto):
    v.expect(r"Vireo \d+\.\d+\.\d+ \(.*\) booting")
    v.expect(r"boot: %s" % proto)
    v.expect(r"boot: \d+ memory regions, (\d+) MiB usable RAM")
    v.expect(r"KTEST SUMMARY passed=1 failed=0")
    assert v.wait() == EXIT_PASS, "exit status %s" % v.returncode


for machine in ("q35", "pc", "microvm"):
    @case("boot/pvh/" + machine)
    def _(machine=machine):
        with vm(machine=machine, cmdline=QUICK) as v:
            boots_and_passes(v, "PVH, command line: " + re.escape(QUICK))


@case("boot/pvh/memory-map-matches-m")
def _():
    # The RAM the memory map reports is what QEMU was given, less firmware
    # holes (< 1 MiB of it on q35).
    with vm(machine="q35", mem="192M", cmdline=QUICK) as v:
        m = v.expect(r"boot: \d+ memory regions, (\d+) MiB usable RAM")
        assert 189 <= int(m.group(1)) <= 192, m.group(0)
        assert v.wait() == EXIT_PASS


@case("boot/iso/seabios")
def _():
    with vm(machine="q35", iso=iso(QUICK)) as v:
        boots_and_passes(v, r"Multiboot2 via GRUB")
        assert "UEFI system table" not in v.output


@case("boot/iso/ovmf")
def _():
    with vm(machine="q35", iso=iso(QUICK), uefi=True, timeout=240) as v:
        v.expect(r"Vireo \d+\.\d+\.\d+ .* booting")
        v.expect(r"boot: Multiboot2 via GRUB")
        v.expect(r"boot: UEFI system table at 0x[0-9a-f]+")
        # UEFI hands over ACPI 2.0+: the kernel must use the XSDT.
        v.expect(r"acpi: RSDP rev 2 .* XSDT")
        v.expect(r"KTEST SUMMARY passed=1 failed=0")
        assert v.wait() == EXIT_PASS


@case("boot/iso/seabios-pc")
def _():
    with vm(machine="pc", iso=iso(QUICK)) as v:
        boots_and_passes(v, r"Multiboot2 via GRUB")


for machine in ("q35", "pc", "microvm"):
    @case("power/acpi-s5/" + machine)
    def _(machine=machine):
        # No isa-debug-exit: powering off must go through ACPI S5, which
        # makes QEMU exit 0 (a halt would time out instead).
        with vm(machine=machine, cmdline=QUICK, debug_exit=False,
                timeout=60) as v:
            v.expect(r"KTEST SUMMARY passed=1 failed=0")
            v.expect(r"acpi: entering S5")
            assert v.wait() == 0, "exit status %s" % v.returncode


@case("traps/panic-backtrace-names-call-path")
def _():
    with vm(cmdline="console=ttyS0 test=panic_backtrace panic=-1", smp=4) as v:
        v.expect(r"---\[ end Kernel panic")
        # panic=-1 reboots at once; -no-reboot turns that into an exit.
        assert v.wait() == 0
        lines_in_order(v.output, [
            "panic: stopping 3 other CPUs",
            "Kernel panic - not syncing: ktest: deliberate panic at depth 3",
            "Call trace:",
            "panic_chain_c", "panic_chain_b", "panic_chain_a",
            "ktest_fn_panic_backtrace", "ktest_run", "kmain", "boot_main",
            "end Kernel panic"])


@case("traps/fatal-page-fault-report")
def _():
    with vm(cmdline="console=ttyS0 test=panic_on_kernel_fault panic=-1") as v:
        v.expect(r"end Kernel panic")
        v.wait()
        lines_in_order(v.output, [
            "#PF page fault (vector 14)",
            "error code 0x2 (not-present write kernel)",
            "CR2 0x0000123456789abc",
            "RIP 0010:ffffffff",
            "Call trace:", "ktest_fn_panic_on_kernel_fault",
            "Kernel panic - not syncing: fatal exception: #PF page fault"])
        assert re.search(r"RIP 0010:ffffffff[0-9a-f]{8} ktest_pf_site\+0x",
                         v.output)


@case("ktest/failure-is-reported")
def _():
    # The runner itself: a failing assertion is named with its expression
    # and location, and the exit status says "failed".
    with vm(cmdline="console=ttyS0 test=ktest_selftest_fails,"
                    "ktest_selftest_unexpected_trap panic=-1") as v:
        v.expect(r"KTEST FAIL ktest_selftest_fails: two \+ two == 5 "
                 r"\(4 != 5\) \(kernel/test/ktest_selftest.c:\d+\)")
        v.expect(r"KTEST FAIL ktest_selftest_unexpected_trap: unexpected "
                 r"#UD invalid opcode")
        v.expect(r"KTEST SUMMARY passed=0 failed=2")
        assert v.wait() == EXIT_FAIL


@case("console/loglevel-and-quiet")
def _():
    with vm(cmdline="console=ttyS0 loglevel=6 test=ksyms_*") as v:
        v.wait()
        assert "KTEST SUMMARY" in v.output          # notice (5) < 6
        assert "clock: TSC" not in v.output        # info (6) is not
    with vm(cmdline="console=ttyS0 quiet test=ksyms_*") as v:
        assert v.wait() == EXIT_PASS
        assert "KTEST" not in v.output and "Vireo" not in v.output, v.output


@case("console/ttyS1")
def _():
    # console=ttyS1 prints on the second UART only.
    with vm(cmdline="console=ttyS1 test=ksyms_*",
            serial=("null", "stdio")) as v:
        v.expect(r"KTEST SUMMARY passed=1 failed=0")
        assert v.wait() == EXIT_PASS
    with vm(cmdline="console=ttyS1 test=ksyms_*",
            serial=("stdio", "null")) as v:
        assert v.wait() == EXIT_PASS
        assert "KTEST" not in v.output


@case("cmdline/init-args-after-double-dash")
def _():
    # Parameters after "--" are init's, not the kernel's: `test` there
    # must not run the tests (the kernel ends in the monitor; we stop it).
    with vm(cmdline="console=ttyS0 -- test", timeout=20) as v:
        v.expect(r"monitor: userspace cannot start")
        assert "KTEST" not in v.output


@case("build/clang")
def _():
    # clang builds the same kernel warning-free (-Werror), and it boots
    # and passes the trap tests.
    run("make -s BUILD=%s/clang CC=clang kernel" % BUILD)
    with vm(kernel="%s/%s/clang/vireo.elf" % (ROOT, BUILD),
            cmdline="console=ttyS0 test=trap_*,ksyms_* panic=-1") as v:
        m = v.expect(r"KTEST SUMMARY passed=(\d+) failed=0")
        assert int(m.group(1)) >= 5
        assert v.wait() == EXIT_PASS


@case("debug/gdb-breaks-in-kmain")
def _():
    # What `make run-debug` + `make gdb` do: QEMU waits (-s -S), gdb loads
    # the symbols from the ELF and stops at kmain with a source backtrace.
    # The script's port is 1234; this test takes a free one, so that it
    # cannot attach to some other QEMU started with -s on this host.
    import socket
    import subprocess
    import tempfile
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with open(os.path.join(ROOT, "scripts", "vireo.gdb")) as f:
        script = f.read().replace("localhost:1234", "127.0.0.1:%d" % port)
    assert "127.0.0.1:%d" % port in script
    tmp = tempfile.NamedTemporaryFile("w", suffix=".gdb", delete=False)
    tmp.write(script)
    tmp.close()
    with vm(cmdline="console=ttyS0", gdb=port, serial=("null",),
            timeout=60):
        p = subprocess.run(
            ["timeout", "50", "gdb", "-q", "-batch", "-nx",
             "-x", tmp.name, "-ex", "continue", "-ex", "bt",
             "%s/vireo.elf" % BUILD],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True)
    assert re.search(r"#0\s+kmain \(bi=.*\) at kernel/boot/main\.c:\d+",
                     p.stdout), p.stdout
    assert re.search(r"#1 .* in boot_main \(proto=1", p.stdout), p.stdout
    os.unlink(tmp.name)
