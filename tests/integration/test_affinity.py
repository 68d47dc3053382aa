"""[bench] CPU affinity: sched_setaffinity/sched_getaffinity as musl and
busybox's taskset use them (userspace/tests/t_affinity.c runs as PID 1
and checks itself: pinning, sched_getcpu, fork and exec, another
process's mask, /proc/PID/status, the error cases)."""

import os
import re
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


def t_affinity(smp):
    with vm(smp=smp, initrd=initramfs(), timeout=60,
            cmdline="console=ttyS0 rdinit=/test/t_affinity -- %d" % smp) as v:
        status = v.wait()
        out = v.output
    assert "t_affinity: PASS" in out, out[-3000:]
    assert "t_affinity exec-child: PASS" in out, out[-3000:]
    assert "FAIL" not in out, out[-3000:]
    assert status == EXIT_OK, status


@case("affinity/t_affinity/smp2")
def _():
    t_affinity(2)


@case("affinity/t_affinity/smp1")
def _():
    t_affinity(1)


@case("affinity/busybox-taskset")
def _():
    script = ("mount -t proc proc /proc; taskset -p $$; taskset -p 2 $$; "
              "grep Cpus_allowed /proc/$$/status; "
              "taskset -c 0 sh -c 'grep Cpus_allowed_list /proc/self/status'; "
              "taskset 5 true; echo mask5=$?; taskset 4 true; echo offline=$?")
    with vm(smp=2, initrd=initramfs(), timeout=60,
            cmdline='console=ttyS0 rdinit=/bin/busybox -- sh -c "%s"' % script) as v:
        v.wait()
        out = v.output
    assert re.search(r"pid \d+'s current affinity mask: 3\b", out), out[-2000:]
    assert re.search(r"pid \d+'s new affinity mask: 2\b", out), out[-2000:]
    assert re.search(r"Cpus_allowed:\s+2\n", out), out[-2000:]
    assert re.search(r"Cpus_allowed_list:\s+1\n", out), out[-2000:]
    # Launched with -c 0 from a shell pinned to CPU 1.
    assert re.search(r"Cpus_allowed_list:\s+0\n", out), out[-2000:]
    # Mask 5 is CPUs 0 and 2: CPU 0 is online, so it is accepted; mask 4
    # (CPU 2 only) has no online CPU: EINVAL, and taskset fails.
    assert "mask5=0" in out, out[-2000:]
    assert "offline=1" in out, out[-2000:]
