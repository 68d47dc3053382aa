#!/usr/bin/env python3
"""The Linux guest that Vireo is measured against.

Debian's linux-image-amd64 (the installed /boot/vmlinuz-*) booted by QEMU
with `-kernel`, on the same machine, accelerator, CPUs, memory and devices
as Vireo, and an initramfs made here: busybox-static, the modules the
virtio devices and ext2 need (with their dependencies, from modules.dep),
the benchmark programs, and an /init that loads the modules and runs the
command it is given.

Nothing is fetched: the kernel, its modules and busybox come from Debian
packages (scripts/deps.sh bench). The archive is cpio newc, written here so
no cpio tool is needed.

Usage as a module: initramfs(out, files={guest_path: host_path}, script=...)
returns the archive path; kernel() returns the vmlinuz path and version;
module_order(version) the module files to load, dependencies first; Cpio
writes other archives (bench/compare.py).
"""

import glob
import os
import stat

# What a Linux guest needs to see the devices Vireo drives. ext4 (which
# mounts ext2 here) asks the crypto API for crc32c at mount time, which
# modules.dep does not list: both implementations are loaded, as udev would.
MODULES = ["virtio_pci", "virtio_blk", "virtio_net", "virtio_rng",
           "crc32c_generic", "crc32c_intel", "ext4"]
BUSYBOX = "/bin/busybox"


def kernel():
    """The newest installed Debian kernel image, and its version."""
    imgs = sorted(glob.glob("/boot/vmlinuz-*"))
    if not imgs:
        raise FileNotFoundError("no /boot/vmlinuz-*: install linux-image-amd64 "
                                "(scripts/deps.sh bench)")
    img = imgs[-1]
    return img, os.path.basename(img)[len("vmlinuz-"):]


def module_order(version, names=MODULES):
    """Module files to insmod, dependencies first."""
    base = "/lib/modules/%s" % version
    deps, by_name = {}, {}
    with open(os.path.join(base, "modules.dep")) as f:
        for line in f:
            mod, _, rest = line.partition(":")
            deps[mod] = rest.split()
            by_name[os.path.basename(mod).split(".ko")[0].replace("-", "_")] = mod
    order, seen = [], set()

    def visit(mod):
        if mod in seen:
            return
        seen.add(mod)
        for d in deps.get(mod, []):
            visit(d)
        order.append(mod)

    for n in names:
        if n not in by_name:
            raise KeyError("module %s not in %s/modules.dep" % (n, base))
        visit(by_name[n])
    return [os.path.join(base, m) for m in order]


class Cpio:
    """A cpio "newc" archive writer (the format Linux's initramfs reads)."""

    def __init__(self, path):
        self.f = open(path, "wb")
        self.ino = 1

    def _entry(self, name, mode, data=b"", nlink=1):
        hdr = "070701" + "".join("%08x" % v for v in (
            self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0,
            len(name) + 1, 0))
        self.ino += 1
        self.f.write(hdr.encode() + name.encode() + b"\0")
        self.f.write(b"\0" * (-(110 + len(name) + 1) % 4))
        self.f.write(data)
        self.f.write(b"\0" * (-len(data) % 4))

    def dir(self, name):
        self._entry(name, stat.S_IFDIR | 0o755, nlink=2)

    def file(self, name, data, mode=0o755):
        self._entry(name, stat.S_IFREG | mode, data)

    def symlink(self, name, target):
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def close(self):
        self._entry("TRAILER!!!", 0)
        self.f.close()


def initramfs(out, files=None, script="exec sh"):
    """Write an initramfs whose /init loads the modules then runs script
    (busybox sh); files maps guest paths to host files."""
    _, version = kernel()
    mods = module_order(version)
    c = Cpio(out)
    for d in ("bin", "dev", "proc", "sys", "tmp", "mnt", "lib", "lib/modules"):
        c.dir(d)
    with open(BUSYBOX, "rb") as f:
        c.file("bin/busybox", f.read())
    for applet in ("sh", "insmod", "mount", "cat", "poweroff", "mkdir"):
        c.symlink("bin/" + applet, "busybox")
    for m in mods:
        with open(m, "rb") as f:
            c.file("lib/modules/" + os.path.basename(m), f.read(), 0o644)
    for guest, host in sorted((files or {}).items()):
        with open(host, "rb") as f:
            c.file(guest.lstrip("/"), f.read())
    init = ["#!/bin/sh",
            "mount -t proc proc /proc",
            "mount -t sysfs sys /sys",
            "mount -t devtmpfs dev /dev"]
    init += ["insmod /lib/modules/%s" % os.path.basename(m) for m in mods]
    init += [script, "poweroff -f"]
    c.file("init", ("\n".join(init) + "\n").encode())
    c.close()
    return out


if __name__ == "__main__":
    import sys
    print(initramfs(sys.argv[1] if len(sys.argv) > 1 else "build/linux-initrd.cpio"))
