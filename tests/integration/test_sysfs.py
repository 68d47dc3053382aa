"""[sysfs] /sys and /proc with a real disk: the in-guest halves are the
manual KTESTs in sysfs/tests.c and fs/procfs/tests.c, booted here with a
virtio-blk disk of a known size (the busybox checks need userspace)."""

import os
import re

from harness import case, vm, ROOT, BUILD

TEST_DIR = os.path.join(ROOT, BUILD, "test")
DISK_SECTORS = 16384                    # 8 MiB


def disk(name):
    path = os.path.join(TEST_DIR, "sysfs-%s.img" % name)
    os.makedirs(TEST_DIR, exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(DISK_SECTORS * 512)
    return path


def run_tests(machine, tests, image):
    extra = ["-drive", "file=%s,format=raw,if=none,id=d0" % image,
             "-device", "virtio-blk-pci,drive=d0"]
    with vm(machine=machine, smp=2, extra=extra, timeout=120,
            cmdline="console=ttyS0 test=%s panic=-1" % ",".join(tests)) as v:
        status = v.wait()
        out = v.output
    summary = re.search(r"KTEST SUMMARY passed=(\d+) failed=(\d+)", out)
    assert summary, "no KTEST SUMMARY\n" + "\n".join(out.splitlines()[-40:])
    assert summary.group(1) == str(len(tests)) and summary.group(2) == "0" \
        and status == 1, "status %s\n%s" % (
            status, "\n".join(l for l in out.splitlines() if "KTEST" in l))
    return out


@case("procfs/interrupts-grow-with-disk-io")
def _():
    img = disk("irq")
    out = run_tests("q35", ["procfs_interrupts_grow_with_disk_io"], img)
    m = re.search(r"PROCTEST (virtio\d+) interrupts (\d+) -> (\d+)", out)
    assert m and int(m.group(3)) >= int(m.group(2)) + 64, out[-2000:]
    os.unlink(img)


@case("sysfs/unbind-bind-virtio-blk")
def _():
    # Idle, then with reads in flight: /sys/block/vda goes and comes back.
    img = disk("unbind")
    out = run_tests("q35", ["sysfs_unbind_bind_virtio_blk"], img)
    # Twice through virtio_blk's files, once through virtio-pci's.
    assert out.count("vda: removed") == 3, out[-2000:]
    assert "SYSFSTEST unbind/bind of virtio0 done" in out
    assert re.search(r"SYSFSTEST unbind/bind of 0000:00:\w\w\.\d done", out)
    os.unlink(img)
