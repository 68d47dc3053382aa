"""[bench] exec maps the file's own pages: private file mappings share the
file system's cached page read-only until a write copies it
(kernel/proc/vm.c). userspace/tests/t_filemap.c overwrites a private
mapping of its own running binary, checks the file, a fork child and a
new process see none of it, checks a tmpfs file's private mapping across
file writes and fork, and execs itself 300 times watching MemFree. Run
from the initramfs (tmpfs: pages shared) and from the ext2 root (1 KiB
blocks: pages copied), at -smp 1 and 2."""

import os
import threading

from harness import case, vm, run, ROOT, BUILD

EXIT_OK = 1       # init exited 0
_build_lock = threading.Lock()
_built = []


def build(target):
    """build/initramfs.cpio or build/rootfs.ext2 with the test programs."""
    with _build_lock:
        if target not in _built:
            run("make -s BUILD=%s userspace %s" % (BUILD, target))
            _built.append(target)


def expect_pass(out, status):
    assert "t_filemap: PASS" in out, out[-3000:]
    assert "exited with status 0" in out, out[-2000:]
    assert status == EXIT_OK, status


@case("filemap/initramfs/smp1")
def _():
    build("initramfs")
    with vm(smp=1, initrd=os.path.join(ROOT, BUILD, "initramfs.cpio"), timeout=120,
            cmdline="console=ttyS0 rdinit=/test/t_filemap") as v:
        status = v.wait()
    expect_pass(v.output, status)


@case("filemap/initramfs/smp2")
def _():
    build("initramfs")
    with vm(smp=2, initrd=os.path.join(ROOT, BUILD, "initramfs.cpio"), timeout=120,
            cmdline="console=ttyS0 rdinit=/test/t_filemap") as v:
        status = v.wait()
    expect_pass(v.output, status)


@case("filemap/ext2-root/smp2")
def _():
    build("rootfs")
    img = os.path.join(ROOT, BUILD, "test", "filemap-root.ext2")
    os.makedirs(os.path.dirname(img), exist_ok=True)
    run("cp %s/%s/rootfs.ext2 %s" % (ROOT, BUILD, img))
    with vm(smp=2, timeout=120, extra=["-drive", "file=%s,if=none,id=d0,format=raw" % img,
                                       "-device", "virtio-blk-pci,drive=d0"],
            cmdline="console=ttyS0 root=/dev/vda rootfstype=ext2 init=/test/t_filemap") as v:
        v.expect(r"vfs: mounted /dev/vda \(ext2\) on /")
        status = v.wait()
    expect_pass(v.output, status)
    run("e2fsck -fn %s" % img)          # non-zero exit (errors) fails the case
    os.unlink(img)
