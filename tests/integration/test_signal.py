"""[shell] Signals: static musl programs (userspace/tests/t_signal*.c) run
as PID 1 from the initramfs, each checking its own results: siginfo,
masks, SA_RESTART, sigreturn of every register (general, flags, x87,
SSE) after an interrupt, alternate stacks, timers and interrupted sleeps;
job control: stop, continue, the parent's SIGCHLD and wait reports,
default actions, SIGPIPE, process groups."""

import os
import threading

from harness import case, vm, run, ROOT, BUILD

EXIT_OK = 1       # init exited 0
_build_lock = threading.Lock()
_built = []


def initramfs():
    """build/initramfs.cpio with busybox and the test programs, made once."""
    with _build_lock:
        if not _built:
            run("make -s BUILD=%s userspace initramfs" % BUILD)
            _built.append(True)
    return os.path.join(ROOT, BUILD, "initramfs.cpio")


def expect_pass(name, out, status):
    assert "%s: PASS" % name in out, out[-3000:]
    assert "proc: init (pid 1) exited with status 0" in out, out[-2000:]
    assert status == EXIT_OK, status


def run_init(prog, smp=2, machine="q35", timeout=60):
    with vm(machine=machine, smp=smp, initrd=initramfs(), timeout=timeout,
            cmdline="console=ttyS0 rdinit=%s" % prog) as v:
        status = v.wait()
        return v.output, status


@case("signal/delivery/smp2")
def _():
    out, status = run_init("/test/t_signal")
    expect_pass("t_signal", out, status)
    # The bad sigreturn frame is reported, and the child died of SIGSEGV.
    assert "bad signal frame at 0" in out, out[-2000:]


@case("signal/delivery/smp1")
def _():
    out, status = run_init("/test/t_signal", smp=1)
    expect_pass("t_signal", out, status)


@case("signal/job-control")
def _():
    out, status = run_init("/test/t_sigjob")
    expect_pass("t_sigjob", out, status)
    # The console is a terminal: the SIGTTIN case ran too.
    assert "SIGTTIN not tested" not in out
