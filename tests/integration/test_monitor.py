"""[shell] The kernel monitor, and the console terminal's line discipline
seen from the serial line.

With no root file system the boot ends in the monitor: it says why, lists
the block and PCI devices the kernel found, and takes commands typed on
the serial console (edited by the line discipline: erase, kill, werase,
^C flushing the line).
"""

import os
import re

from harness import case, vm, ROOT, BUILD

TEST_DIR = os.path.join(ROOT, BUILD, "test")
PCI_LOG = re.compile(r"pci (\S+): \[([0-9a-f]{4}):([0-9a-f]{4})\] type")
PCI_MON = re.compile(r"^  (\S+)  ([0-9a-f]{4}):([0-9a-f]{4})  class ([0-9a-f]{6})  (.*)$",
                     re.M)


def disk(name, mib):
    os.makedirs(TEST_DIR, exist_ok=True)
    path = os.path.join(TEST_DIR, "monitor-%s.img" % name)
    with open(path, "wb") as f:
        f.truncate(mib << 20)
    return path


def blk_args(path, serial):
    return ["-drive", "file=%s,if=none,id=d0,format=raw" % path,
            "-device", "virtio-blk-pci,drive=d0,serial=%s" % serial]


def prompt(v):
    v.expect(r"monitor> ")


@case("monitor/no-root-lists-devices-edits-lines-powers-off")
def _():
    path = disk("noroot", 8)
    with vm(machine="q35", extra=blk_args(path, "monitor-disk"),
            cmdline="console=ttyS0", timeout=60) as v:
        v.expect(r"Userspace cannot start: no root file system: "
                 r"no initramfs and no root=")
        v.expect(r"Block devices:\n  vda +8 MiB  16384 sectors of 512 bytes, "
                 r"serial \"monitor-disk\"\n")
        v.expect(r"Type help for the commands\.")
        prompt(v)
        # Every PCI function the kernel enumerated is listed, with its ids.
        logged = {m.group(1): (m.group(2), m.group(3))
                  for m in PCI_LOG.finditer(v.output)}
        listed = {m.group(1): (m.group(2), m.group(3), m.group(5))
                  for m in PCI_MON.finditer(v.output)}
        assert len(logged) >= 4 and set(logged) == set(listed), (logged, listed)
        for bdf, ids in logged.items():
            assert listed[bdf][:2] == ids, (bdf, listed[bdf], ids)
        assert any(ven == "1af4" and drv.startswith("virtio")
                   for ven, _, drv in listed.values()), listed

        # Erase (DEL and ^H), echoed as rubouts; CR ends the line.
        v.send("helq\x7fp\r")
        v.expect(r"helq\x08 \x08p\n")
        v.expect(r"  poweroff  turn the machine off\n")
        prompt(v)
        v.send("devx\x08ices\r")
        v.expect(r"Block devices:\n  vda ")
        prompt(v)
        # Kill (^U) and word erase (^W) take the junk before the command.
        v.send("junk words\x15bogus\r")
        v.expect(r"\nbogus: unknown command")
        prompt(v)
        v.send("poweroff now\x17\x17help\r")
        v.expect(r"  help      this list")
        prompt(v)
        # ^C flushes the line typed so far (no process layer to signal).
        v.send("poweroff\x03")
        v.expect(r"poweroff\^C")
        v.send("log\r")
        v.expect(r"vda: virtio\d+, 16384 sectors")
        prompt(v)
        v.send("poweroff\r")
        v.expect(r"Powering off\.")
        assert v.wait() == 1, v.returncode      # isa-debug-exit status 0


@case("monitor/bad-root-says-why-and-reboots")
def _():
    # pc: port-I/O PCI configuration, and the reboot path (QEMU runs with
    # -no-reboot, so a reset ends it with status 0).
    path = disk("badroot", 4)
    with vm(machine="pc", extra=blk_args(path, "x"),
            cmdline="console=ttyS0 root=/dev/vdz rootfstype=ext2",
            timeout=60) as v:
        v.expect(r"vfs: (root=/dev/vdz: no such block device|"
                 r"rootfstype=ext2: no such block-device file system)")
        v.expect(r"Userspace cannot start: no root file system: it could "
                 r"not be mounted \(see the log\)")
        v.expect(r"  vda +4 MiB")
        prompt(v)
        v.send("reboot\r")
        v.expect(r"Rebooting\.")
        assert v.wait() == 0, v.returncode
