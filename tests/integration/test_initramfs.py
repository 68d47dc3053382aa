"""[vfs]: an initramfs made on the host with `cpio -o -H newc` is unpacked
into the rootfs; the kernel lists and hashes every file (KTEST_MANUAL
vfs_list_root) and the listing must match the tree that was packed. A
malformed or compressed archive gets a clear error and the boot goes on."""

import gzip
import os
import re
import shutil

from harness import case, vm, run, ROOT, BUILD

EXIT_PASS = 1
WORK = os.path.join(ROOT, BUILD, "test", "initramfs")


def fnv(data):
    h = 2166136261
    for b in data:
        h = ((h ^ b) * 16777619) & 0xffffffff
    return h


def make_tree(top):
    shutil.rmtree(top, ignore_errors=True)
    os.makedirs(os.path.join(top, "etc", "deep", "er"))
    os.makedirs(os.path.join(top, "bin"))
    files = {
        "etc/hello.txt": b"hello from the initramfs\n",
        "etc/empty": b"",
        "etc/deep/er/pattern.bin": bytes((i * 7) % 251 for i in range(200000)),
        "bin/tool": b"#!/bin/sh\necho tool\n",
        "n" * 255: b"longest name\n",
    }
    for i, (name, data) in enumerate(sorted(files.items())):
        p = os.path.join(top, name)
        with open(p, "wb") as f:
            f.write(data)
        os.utime(p, (1600000000 + i, 1700000000 + i))
    os.chmod(os.path.join(top, "bin/tool"), 0o751)
    os.chmod(os.path.join(top, "etc/deep"), 0o700)
    os.symlink("hello.txt", os.path.join(top, "etc/rel"))
    os.symlink("/etc/deep/er/pattern.bin", os.path.join(top, "abs"))
    os.link(os.path.join(top, "etc/hello.txt"), os.path.join(top, "etc/hard"))


def pack(top, out, uid=1234, gid=567):
    run("cd '%s' && find . | LC_ALL=C sort | cpio -o -H newc -R %d:%d --quiet > '%s'"
        % (top, uid, gid, out))


def expected_listing(top, uid=1234, gid=567):
    lines = set()
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            rel = "/" + os.path.relpath(p, top)
            st = os.lstat(p)
            mode = "%o" % (st.st_mode & 0o7777)
            if os.path.islink(p):
                lines.add("%s l %s %d:%d -> %s" % (rel, mode, uid, gid, os.readlink(p)))
            elif os.path.isdir(p):
                lines.add("%s d %s %d:%d" % (rel, mode, uid, gid))
            else:
                with open(p, "rb") as f:
                    h = fnv(f.read())
                lines.add("%s f %s %d:%d size=%d nlink=%d mtime=%d fnv=%08x"
                          % (rel, mode, uid, gid, st.st_size, st.st_nlink,
                             int(st.st_mtime), h))
    return lines


def setup(name):
    """A fresh tree and archive in a directory of the case's own (cases
    run in parallel)."""
    work = os.path.join(WORK, name)
    top = os.path.join(work, "tree")
    os.makedirs(work, exist_ok=True)
    make_tree(top)
    cpio = os.path.join(work, "good.cpio")
    pack(top, cpio)
    return work, top, cpio


@case("initramfs/unpacked-tree-matches-host")
def _():
    _, top, cpio = setup("good")
    want = expected_listing(top)
    with vm(machine="q35", initrd=cpio, timeout=120,
            cmdline="console=ttyS0 test=vfs_list_root panic=-1") as v:
        v.expect(r"initramfs: unpacked \d+ files, \d+ directories, \d+ others")
        v.expect(r"LIST done")
        v.expect(r"KTEST SUMMARY passed=1 failed=0")
        assert v.wait() == EXIT_PASS
        got = set(re.findall(r"\] LIST (/.*?)\r?$", v.output, re.M))
    missing, extra = want - got, got - want
    assert not missing and not extra, \
        "missing: %s\nunexpected: %s" % (sorted(missing), sorted(extra))


@case("initramfs/malformed-archive-reported")
def _():
    work, _, cpio = setup("bad")
    with open(cpio, "rb") as f:
        data = f.read()
    bad = os.path.join(work, "truncated.cpio")
    # Cut inside pattern.bin's data: the files before it are unpacked,
    # then a clear message, then the kernel carries on.
    cut = data.index(b"pattern.bin") + 5000
    with open(bad, "wb") as f:
        f.write(data[:cut])
    with vm(machine="q35", initrd=bad, timeout=120,
            cmdline="console=ttyS0 test=vfs_write_read_seek_stat panic=-1") as v:
        v.expect(r"initramfs: malformed archive at offset \d+: truncated file data")
        v.expect(r"KTEST SUMMARY passed=1 failed=0")
        assert v.wait() == EXIT_PASS
    gz = os.path.join(work, "good.cpio.gz")
    with open(gz, "wb") as f:
        f.write(gzip.compress(data))
    with vm(machine="microvm", initrd=gz, timeout=120,
            cmdline="console=ttyS0 test=vfs_write_read_seek_stat panic=-1") as v:
        v.expect(r"boot module 0 is a gzip-compressed initramfs")
        v.expect(r"KTEST SUMMARY passed=1 failed=0")
        assert v.wait() == EXIT_PASS
