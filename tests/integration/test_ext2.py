"""[ext2] ext2 through virtio-blk, the block layer, the buffer cache and
the VFS, on images made by images/mkext2.py, judged on the host.

The in-guest halves are the manual KTESTs in fs/ext2/tests.c:
  ext2_read_disks       prints a manifest (EXT2MAN lines) of every disk;
                        compared with the staged trees here.
  ext2_write_workload   runs fs/ext2/workload.c's workloads on vda and vdb;
                        the images must pass `e2fsck -fn` and equal, via
                        `debugfs rdump`, the trees the same workloads make
                        through POSIX calls (the host unit test writes
                        them: build/unit/test_ext2_write).
  ext2_crash_after_sync QEMU is killed right after "EXT2TEST SYNCED": the
                        image must be clean and hold everything synced.
  ext2_root_mounted     root=/dev/vda rootfstype=ext2.
"""

import os
import re
import shutil
import subprocess
import threading
import zlib

from harness import case, vm, run, ROOT, BUILD

IMG_DIR = os.path.join(ROOT, BUILD, "images", "ext2")
TEST_DIR = os.path.join(ROOT, BUILD, "test")
_images_lock = threading.Lock()


def images():
    with _images_lock:
        run("python3 images/mkext2.py %s" % IMG_DIR)


def copy(shape, tag):
    os.makedirs(TEST_DIR, exist_ok=True)
    dst = os.path.join(TEST_DIR, "ext2-%s.img" % tag)
    shutil.copyfile(os.path.join(IMG_DIR, shape + ".img"), dst)
    return dst


def drive(path, ident, readonly=False):
    opts = "file=%s,format=raw,if=none,id=%s" % (path, ident)
    if readonly:
        opts += ",readonly=on"
    return ["-drive", opts, "-device", "virtio-blk-pci,drive=%s" % ident]


def boot(test, disks, cmdline_extra="", timeout=240):
    extra = []
    for i, (path, ro) in enumerate(disks):
        extra += drive(path, "d%d" % i, ro)
    with vm(machine="q35", smp=2, mem="256M", extra=extra, timeout=timeout,
            cmdline="console=ttyS0 %s test=%s panic=-1" %
            (cmdline_extra, test)) as v:
        status = v.wait()
        out = v.output
    ok = re.search(r"KTEST SUMMARY passed=1 failed=0", out) and status == 1
    assert ok, "status %s\n%s" % (status, "\n".join(
        l for l in out.splitlines()[-60:]))
    return out


def host_manifest(tree):
    """The EXT2MAN lines fs/ext2/tests.c prints, made from a host tree."""
    lines = set()

    def walk(d, rel):
        for name in sorted(os.listdir(d)):
            p = os.path.join(d, name)
            r = rel + "/" + name
            st = os.lstat(p)
            size, crc = 0, 0
            if os.path.islink(p):
                t = "l"
                target = os.readlink(p).encode()
                size, crc = len(target), zlib.crc32(target)
            elif os.path.isdir(p):
                t = "d"
            elif os.path.isfile(p):
                t = "f"
                size = st.st_size
                with open(p, "rb") as f:
                    while True:
                        b = f.read(1 << 20)
                        if not b:
                            break
                        crc = zlib.crc32(b, crc)
            else:
                t = "o"
            lines.add("%s %s %o %d %d %08x" % (r, t, st.st_mode & 0o7777,
                                                st.st_nlink, size, crc))
            if t == "d":
                walk(p, r)
    walk(tree, "")
    return lines


def guest_manifest(out, disk):
    return set(m.group(1) for m in
               re.finditer(r"EXT2MAN %s (.*)$" % disk, out, re.M))


def compare_sets(host, guest, what):
    missing, extra = sorted(host - guest), sorted(guest - host)
    assert not missing and not extra, "%s differs:\n only on the host: %s\n only in the guest: %s" % (
        what, missing[:10], extra[:10])


def e2fsck_clean(img):
    p = subprocess.run(["e2fsck", "-fn", img], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    assert p.returncode == 0, "e2fsck -fn %s: %d\n%s" % (img, p.returncode,
                                                          p.stdout[-3000:])


def debugfs(img, cmd):
    p = subprocess.run(["debugfs", "-R", cmd, img], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    return p.stdout


SHAPES_READ = ["b1k-i128", "b2k-i256", "dirindex", "rev0", "nofiletype"]


@case("ext2/read/virtio-blk-vfs-matches-staged-trees")
def _():
    images()
    disks = [(os.path.join(IMG_DIR, s + ".img"), True) for s in SHAPES_READ]
    out = boot("ext2_read_disks", disks)
    for i, s in enumerate(SHAPES_READ):
        disk = "vd" + chr(ord("a") + i)
        host = host_manifest(os.path.join(IMG_DIR, s + ".tree"))
        guest = guest_manifest(out, disk)
        assert len(host) > 10, (s, len(host))
        compare_sets(host, guest, "%s (%s)" % (s, disk))


def expected_tree(shape, unit_case):
    """The tree the workload makes through POSIX calls on the staged tree
    (written by the host unit test as a side effect)."""
    exe = os.path.join(ROOT, BUILD, "unit", "test_ext2_write")
    if not os.path.exists(exe):
        run("make -s %s/unit/test_ext2_write" % BUILD)
    p = subprocess.run([exe, unit_case], cwd=ROOT, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    assert p.returncode == 0 and "ok " + unit_case in p.stdout, p.stdout[-3000:]
    return os.path.join(IMG_DIR, "tmp-%s.expect" % shape)


def rdump_equals(img, expect, tag):
    dump = os.path.join(TEST_DIR, "ext2-%s.dump" % tag)
    shutil.rmtree(dump, ignore_errors=True)
    os.makedirs(dump)
    debugfs(img, "rdump / %s" % dump)
    p = subprocess.run(["diff", "-r", "--no-dereference", "-x", "lost+found",
                        "-x", "fifo", expect, dump], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    assert p.returncode == 0, "debugfs rdump of %s differs from %s:\n%s" % (
        img, expect, p.stdout[-3000:])


@case("ext2/write/workload-e2fsck-clean-debugfs-matches")
def _():
    images()
    a = copy("b1k-i128", "wl-a")
    b = copy("dirindex", "wl-b")
    boot("ext2_write_workload", [(a, False), (b, False)])
    e2fsck_clean(a)
    e2fsck_clean(b)
    rdump_equals(a, expected_tree(
        "b1k-i128", "write_workload_1k_e2fsck_clean_debugfs_matches"), "wl-a")
    rdump_equals(b, expected_tree(
        "dirindex", "htree_dir_changes_clear_index_e2fsck_clean"), "wl-b")
    assert b"Flags: 0x0" in debugfs(b, "stat /big"), "htree flag kept"


def wl_fill(n, seed, off=0):
    """fs/ext2/workload.c's ext2_wl_fill."""
    mask = (1 << 64) - 1
    s = (seed << 32 | seed) & mask
    out = bytearray(n)
    for i in range(n):
        x = (((off + i) * 0x9e3779b97f4a7c15) & mask) ^ s
        x ^= x >> 29
        x = (x * 0xbf58476d1ce4e5b9) & mask
        out[i] = (x >> 40) & 0xff
    return bytes(out)


@case("ext2/crash/kill-after-sync-keeps-data-e2fsck-clean")
def _():
    images()
    img = copy("b1k-i128", "crash")
    with vm(machine="q35", smp=2, mem="256M", extra=drive(img, "d0"),
            timeout=120,
            cmdline="console=ttyS0 test=ext2_crash_after_sync panic=-1") as v:
        v.expect(r"EXT2TEST SYNCED")
        v.proc.kill()           # no unmount, no power-off: pulled plug
        v.proc.wait()
    e2fsck_clean(img)
    for i in range(30):
        want = wl_fill(i * 3001 + 17, 700 + i)
        got = debugfs(img, "cat /crash/f%02d" % i)
        assert got == want, "/crash/f%02d: %d bytes, want %d" % (
            i, len(got), len(want))
    assert b"File not found" in subprocess.run(
        ["debugfs", "-R", "stat /hello.txt", img], stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT).stdout
    assert debugfs(img, "cat /crash/dir-moved/sub/deep/file.txt") == \
        b"deep inside\n"


@case("ext2/root/rootfstype-ext2-mounts-vda")
def _():
    images()
    img = copy("b1k-i128", "root")
    boot("ext2_root_mounted", [(img, False)],
         cmdline_extra="root=/dev/vda rootfstype=ext2")
    e2fsck_clean(img)
