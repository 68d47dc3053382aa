"""[posix]: Linux ABI details real programs rely on, checked by a static
musl program run as PID 1 from the initramfs (userspace/tests/t_posix.c):
no zombies under SIGCHLD SIG_IGN / SA_NOCLDWAIT; SA_RESTART for blocking
socket calls (EINTR with a socket timeout); user vs system CPU time in
times, getrusage, wait4 and /proc/PID/stat."""

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


def run_posix(smp):
    with vm(machine="q35", smp=smp, initrd=initramfs(), timeout=90,
            cmdline="console=ttyS0 rdinit=/test/t_posix") as v:
        status = v.wait()
        out = v.output
    assert "t_posix: PASS" in out, out[-3000:]
    assert "proc: init (pid 1) exited with status 0" in out, out[-2000:]
    assert status == EXIT_OK, status


@case("posix/smp2")
def _():
    run_posix(2)


@case("posix/smp1")
def _():
    run_posix(1)
