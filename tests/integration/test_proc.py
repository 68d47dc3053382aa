"""[processes]: static musl programs on the Linux syscall ABI, run as PID 1
from an initramfs (userspace/tests/*.c, images/mkroot.sh). Each program
checks its own results and prints "<name>: PASS"; PID 1's exit status
comes back through isa-debug-exit ((status << 1) | 1)."""

import glob
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
    expect_pass("t_tty", out, status)


@case("proc/init/no-init")
def _():
    with vm(initrd=initramfs(), timeout=60,
            cmdline="console=ttyS0 rdinit=/nonexistent") as v:
        v.expect(r"proc: cannot run /nonexistent as init: error -2")
        v.expect(r"proc: no init found; no userspace yet, idling")


@case("proc/busybox/sh-c")
def _():
    # The kernel command line splits at spaces except inside double
    # quotes, as Linux's does.
    script = ('echo start; for i in 1 2 3; do echo n$i; done | wc -l; '
              'x=$(echo sub | tr a-z A-Z); echo got$x; (cd /tmp && pwd) > /tmp/o; '
              'cat < /tmp/o; ls /test | grep -c t_; echo $((6*7)); exit 3')
    out, status = run_init("/bin/busybox", 'sh -c "%s"' % script)
    lines = [l.strip() for l in out.splitlines()]
    i = lines.index("start")
    n_t = str(len(glob.glob(os.path.join(ROOT, "userspace/tests/t_*.c"))))
    assert lines[i + 1:i + 6] == ["3", "gotSUB", "/tmp", n_t, "42"], lines[i:i + 8]
    assert "proc: init (pid 1) exited with status 3" in out
    assert status == (3 << 1) | 1


@case("proc/busybox/applets")
def _():
    out, status = run_init("/bin/busybox", "sh /test/applets.sh", timeout=180)
    assert "applets: PASS" in out, "\n".join(
        l for l in out.splitlines() if l.startswith("FAIL"))
    ok = [l for l in out.splitlines() if l.startswith("ok ")]
    assert len(ok) >= 25, len(ok)
    assert status == EXIT_OK


@case("proc/busybox/shell")
def _():
    out, status = run_init("/bin/busybox", "sh /test/shell.sh")
    assert "shell: PASS" in out, "\n".join(
        l for l in out.splitlines() if l.startswith("FAIL"))
    assert status == EXIT_OK


@case("proc/init/default-init-runs-a-shell-command")
def _():
    # The project's init (userspace/init.c) passes its arguments to sh.
    out, status = run_init("/sbin/init", '-c "echo from-init-$((1+1))"')
    assert "from-init-2" in out, out[-2000:]
    assert status == EXIT_OK


@case("proc/ext2-root/busybox-init")
def _():
    # The default root image (images/mkroot.sh) on virtio-blk: init= from
    # ext2, files written there, and e2fsck content with the result.
    with _build_lock:
        run("make -s BUILD=%s userspace rootfs" % BUILD)
    img = os.path.join(ROOT, BUILD, "test", "proc-root.ext2")
    os.makedirs(os.path.dirname(img), exist_ok=True)
    run("cp %s/%s/rootfs.ext2 %s" % (ROOT, BUILD, img))
    # mkdir under a missing name, then rmdir: the cached negative name
    # once kept the removed directory from being freed on disk.
    script = ("/test/hello from-ext2; mkdir /root/d; echo data > /root/d/f; "
              "cat /root/d/f; ls /bin | wc -l; mkdir /root/x; "
              "mkdir /root/x/missing/d 2>/dev/null; rmdir /root/x")
    with vm(timeout=120, extra=["-drive", "file=%s,if=none,id=d0,format=raw" % img,
                                "-device", "virtio-blk-pci,drive=d0"],
            cmdline='console=ttyS0 root=/dev/vda rootfstype=ext2 '
                    'init=/bin/busybox -- sh -c "%s"' % script) as v:
        v.expect(r"vfs: mounted /dev/vda \(ext2\) on /")
        v.expect(r"hello from /test/hello: argc=2 argv\[1\]=from-ext2")
        v.expect(r"\ndata")
        assert v.wait() == EXIT_OK
    run("e2fsck -fn %s" % img)          # non-zero exit (errors) fails the case
    run("debugfs -R 'cat /root/d/f' %s 2>/dev/null | grep -qx data" % img)
    os.unlink(img)


@case("proc/elf/fuzz-brief")
def _():
    # The ELF parser's libFuzzer target (tests/fuzz/fuzz_elf.c) for a few
    # seconds; `make fuzz` runs it longer.
    import subprocess
    run("make -s BUILD=%s userspace %s/fuzz/fuzz_elf" % (BUILD, BUILD))
    p = subprocess.run(["sh", "tests/fuzz/run.sh", "fuzz_elf", "5"], cwd=ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=120)
    assert p.returncode == 0 and "Done " in p.stdout, p.stdout[-4000:]
