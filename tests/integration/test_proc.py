"""[processes]: static musl programs on the Linux syscall ABI, run as PID 1
from an initramfs (userspace/tests/*.c, images/mkroot.sh). Each program
checks its own results and prints "<name>: PASS"; PID 1's exit status
comes back through isa-debug-exit ((status << 1) | 1)."""

import os
import threading

from harness import case, vm, run, Skip, ROOT, BUILD

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


def run_init(prog, args="", mem="256M", smp=2, machine="q35", timeout=120,
             extra=""):
    with vm(machine=machine, smp=smp, mem=mem, initrd=initramfs(),
            timeout=timeout,
            cmdline="console=ttyS0 rdinit=%s %s -- %s" % (prog, extra, args)) as v:
        status = v.wait()
        return v.output, status


def expect_pass(name, out, status):
    assert "%s: PASS" % name in out, out[-3000:]
    assert "proc: init (pid 1) exited with status 0" in out, out[-2000:]
    assert status == EXIT_OK, status


@case("proc/hello/static")
def _():
    out, status = run_init("/test/hello", "one two")
    assert "hello from /test/hello: argc=3 argv[1]=one argv[2]=two envc=3 " \
           "pagesz=4096 execfn=/test/hello random=yes uid=0 pid=1" in out, out[-2000:]
    assert status == EXIT_OK


@case("proc/hello/static-pie")
def _():
    out, status = run_init("/test/hello-pie", "exit7")
    assert "hello from /test/hello-pie: argc=2 argv[1]=exit7" in out, out[-2000:]
    assert "proc: init (pid 1) exited with status 7" in out
    assert status == (7 << 1) | 1


@case("proc/syscalls/processes")
def _():
    out, status = run_init("/test/t_proc")
    expect_pass("t_proc", out, status)
    assert "script: /test/script.sh arg1" in out
    assert "exec /test/dynamic: dynamically linked (PT_INTERP)" in out
    # An unknown number is logged once, by number.
    assert out.count("syscall: 1000 not implemented") == 1


@case("proc/syscalls/files")
def _():
    out, status = run_init("/test/t_files")
    expect_pass("t_files", out, status)


@case("proc/syscalls/memory")
def _():
    out, status = run_init("/test/t_mem", smp=1)
    expect_pass("t_mem", out, status)


@case("proc/faults/signals")
def _():
    out, status = run_init("/test/t_fault")
    expect_pass("t_fault", out, status)
    for what in ("ud2: killed by signal 4", "divide by zero: killed by signal 8",
                 "kernel read: killed by signal 11", "kernel write: killed by signal 11"):
        assert "t_fault: " + what in out, what
    assert "killed by SIGSEGV: #PF page fault at ip" in out


@case("proc/stress/leaks-and-fork-bomb")
def _():
    # 64 MiB keeps the fork bomb short: RLIMIT_NPROC is RAM/(8 stacks).
    out, status = run_init("/test/t_stress", mem="64M", timeout=240)
    expect_pass("t_stress", out, status)
    assert "fork bomb: " in out


@case("proc/console/tty-ioctls")
def _():
    out, status = run_init("/test/t_tty")
    if "t_tty: PASS" not in out and "Not a tty" in out:
        raise Skip("the devfs console (fs/devfs/console.c) answers no terminal "
                   "ioctls yet (-ENOTTY)")
    expect_pass("t_tty", out, status)


@case("proc/init/no-init")
def _():
    with vm(initrd=initramfs(), timeout=60,
            cmdline="console=ttyS0 rdinit=/nonexistent") as v:
        v.expect(r"proc: cannot run /nonexistent as init: error -2")
        v.expect(r"proc: no init found; no userspace yet, idling")
