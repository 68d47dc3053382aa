#!/usr/bin/env python3
"""Build the ext2 test images: a staged directory tree per shape, then
`mke2fs -t ext2 -d TREE` (no loop mounts, no root).

    python3 images/mkext2.py OUTDIR [SHAPE...]     (default: every shape)

For each shape it writes OUTDIR/SHAPE.tree/ and OUTDIR/SHAPE.img, and
skips shapes whose image is newer than this script. Contents are
deterministic (seeded), so the trees can be compared byte for byte.

Shapes:
  b1k-i128   1 KiB blocks, 128-byte inodes, with a sparse file that
             reaches triple-indirect blocks
  b2k-i256   2 KiB blocks, 256-byte inodes
  b4k-i256   4 KiB blocks, 256-byte inodes, a sparse 5 GiB file (large_file)
  dirindex   dir_index, a 2000-entry directory carrying an htree
             (mke2fs -d, then e2fsck -fyD builds the index)
  rev0       revision 0 (no features: no filetype, no sparse_super)
  nofiletype revision 1 without the filetype feature
  fuzz-1k, fuzz-4k  tiny seeds for tests/fuzz/fuzz_ext2.c
"""

import os
import random
import shutil
import subprocess
import sys

SHAPES = {
    # name: (block size, inode size, image MiB, mke2fs extra args)
    "b1k-i128": (1024, 128, 24, []),
    "b2k-i256": (2048, 256, 24, []),
    "b4k-i256": (4096, 256, 32, []),
    "dirindex": (1024, 128, 8, ["-O", "dir_index", "-N", "4096"]),
    "rev0": (1024, 128, 8, ["-r", "0"]),
    "nofiletype": (4096, 128, 16, ["-O", "^filetype"]),
    # Fuzzing seeds: tiny, so mutations land on metadata.
    "fuzz-1k": (1024, 128, 0.25, ["-N", "32"]),
    "fuzz-4k": (4096, 256, 0.5, ["-N", "32", "-O", "dir_index"]),
}


def data(rng, n):
    return bytes(rng.getrandbits(8) for _ in range(n)) if n < 4096 else \
        rng.randbytes(n)


def write(path, content):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(content)


def sparse(path, size, pieces):
    """A file of `size` bytes with data only at the given offsets."""
    with open(path, "wb") as f:
        f.truncate(size)
        for off, content in pieces:
            f.seek(off)
            f.write(content)


def stage(tree, shape):
    bs, isz, mib, _ = SHAPES[shape]
    apb = bs // 4
    rng = random.Random(shape)
    if os.path.exists(tree):
        shutil.rmtree(tree)
    os.makedirs(tree)
    j = lambda *p: os.path.join(tree, *p)  # noqa: E731

    if shape.startswith("fuzz-"):
        write(j("hello.txt"), b"hello, ext2\n")
        write(j("empty"), b"")
        write(j("small.bin"), data(rng, 1000))
        write(j("single.bin"), data(rng, 14 * bs + 5))
        write(j("dir", "sub", "deep", "file.txt"), b"deep inside\n")
        os.makedirs(j("dir", "emptydir"))
        os.symlink("../hello.txt", j("dir", "fast"))
        os.symlink("x" * 80, j("dir", "slow"))
        return

    if shape == "dirindex":
        for i in range(2000):
            # Long-ish names so the directory spans many blocks.
            write(j("big", "entry-%04d-%s" % (i, "x" * (i % 40))),
                  ("%d\n" % i).encode() if i % 3 else b"")
        write(j("small.txt"), b"next to a big directory\n")
        return

    write(j("hello.txt"), b"hello, ext2\n")
    write(j("empty"), b"")
    write(j("small.bin"), data(rng, 1000))
    write(j("direct.bin"), data(rng, 12 * bs - 100))
    write(j("single.bin"), data(rng, (12 + apb // 2) * bs + 17))
    write(j("double.bin"), data(rng, (12 + apb + 10) * bs + 5))
    write(j("dir", "sub", "deep", "file.txt"), b"deep inside\n")
    write(j("dir", "sub", "other.txt"), data(rng, 3000))
    os.makedirs(j("dir", "emptydir"))
    for i in range(40):
        write(j("many", "f%02d" % i), data(rng, rng.randrange(0, 3 * bs)))
    os.makedirs(j("links"))
    os.symlink("../hello.txt", j("links", "fast"))
    os.symlink("../dir/sub/deep/" + "x" * 90 + "/../file.txt", j("links", "slow"))
    os.link(j("small.bin"), j("links", "hard"))
    os.mkfifo(j("fifo"))

    # A sparse file whose last piece sits beyond the double-indirect reach.
    triple_start = (12 + apb + apb * apb) * bs
    if shape == "b1k-i128":
        size = triple_start + 3 * 1024 * 1024
        sparse(j("sparse-triple"), size, [
            (0, data(rng, 5000)),
            (1 << 20, data(rng, 3000)),
            (triple_start + 4096, data(rng, 6000)),
            (size - 100, data(rng, 100)),
        ])
    elif shape == "b4k-i256":
        size = 5 << 30
        sparse(j("sparse-huge"), size, [
            (8192, data(rng, 10000)),
            (triple_start + 12345, data(rng, 5000)),
            (size - 10, data(rng, 10)),
        ])
    else:
        size = (12 + apb + 3 * apb) * bs
        sparse(j("sparse-double"), size, [
            (100, data(rng, 100)),
            ((12 + apb + 2 * apb) * bs, data(rng, 2 * bs)),
        ])


def build(outdir, shape):
    bs, isz, mib, extra = SHAPES[shape]
    tree = os.path.join(outdir, shape + ".tree")
    img = os.path.join(outdir, shape + ".img")
    if os.path.exists(img) and \
            os.path.getmtime(img) >= os.path.getmtime(os.path.abspath(__file__)):
        return
    stage(tree, shape)
    tmp = img + ".tmp"
    if os.path.exists(tmp):
        os.unlink(tmp)
    args = ["mke2fs", "-q", "-F", "-t", "ext2", "-b", str(bs), "-d", tree,
            "-E", "root_owner=0:0"]
    if "-r" not in extra:
        args += ["-I", str(isz)]
    args += extra + [tmp, "%dk" % (mib * 1024)]
    env = dict(os.environ, E2FSPROGS_FAKE_TIME="1700000000")
    p = subprocess.run(args, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if p.returncode:
        raise SystemExit("mke2fs failed:\n" + p.stdout.decode())
    if shape == "dirindex":
        # Index every directory that is big enough (exit 1: "fixed").
        p = subprocess.run(["e2fsck", "-fyD", tmp], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        if p.returncode not in (0, 1):
            raise SystemExit("e2fsck -fyD failed:\n" + p.stdout.decode())
    p = subprocess.run(["e2fsck", "-fn", tmp], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if p.returncode:
        raise SystemExit("fresh image %s is not clean:\n%s" %
                         (shape, p.stdout.decode()))
    os.replace(tmp, img)


def main():
    outdir = sys.argv[1]
    shapes = sys.argv[2:] or list(SHAPES)
    os.makedirs(outdir, exist_ok=True)
    for s in shapes:
        if s not in SHAPES:
            raise SystemExit("unknown shape %s" % s)
        build(outdir, s)


if __name__ == "__main__":
    main()
