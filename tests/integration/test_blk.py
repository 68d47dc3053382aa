"""[virtio] virtio-blk against QEMU's device, with disks generated here.

The in-guest halves are the manual KTESTs in virtio/blk_test.c (run by
name with test=blk_*); this side makes the disks, boots, reads the
BLKTEST lines and checks the images after QEMU has exited.

Disk conventions (shared with virtio/blk_test.c):
  vda  pattern disk: sector s is 64 copies of the little-endian u64
       pattern(s);
  vdb  scratch disk, zero-filled; blk_write_verify writes
       pattern(s) ^ WRITE_XOR into 200 ranges computed by write_ranges().
"""

import hashlib
import os
import re
import shutil
import struct
import threading

from harness import case, vm, ROOT, BUILD, Skip

TEST_DIR = os.path.join(ROOT, BUILD, "test")
PATTERN_SECTORS = 32768                 # 16 MiB
SCRATCH_SECTORS = 16384                 # 8 MiB
WRITE_XOR = 0x5a5a5a5a5a5a5a5a
MASK = (1 << 64) - 1


def pattern(s):
    return (s * 0x9e3779b97f4a7c15 + 0x0123456789abcdef) & MASK


def sector_bytes(value):
    return struct.pack("<Q", value) * 64


_master_lock = threading.Lock()


def pattern_disk(name):
    """A fresh copy of the pattern disk for one case."""
    master = os.path.join(TEST_DIR, "blk-pattern.img")
    with _master_lock:
        if not os.path.exists(master) or \
                os.path.getsize(master) != PATTERN_SECTORS * 512:
            os.makedirs(TEST_DIR, exist_ok=True)
            tmp = master + ".tmp"
            with open(tmp, "wb") as f:
                f.write(b"".join(sector_bytes(pattern(s))
                                 for s in range(PATTERN_SECTORS)))
            os.replace(tmp, master)
    path = os.path.join(TEST_DIR, "blk-%s-pattern.img" % name)
    shutil.copyfile(master, path)
    return path


def scratch_disk(name, sectors=SCRATCH_SECTORS):
    path = os.path.join(TEST_DIR, "blk-%s-scratch.img" % name)
    os.makedirs(TEST_DIR, exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(sectors * 512)
    return path


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def drive(path, ident, serial=None, readonly=False, num_queues=None):
    opts = "file=%s,format=raw,if=none,id=%s" % (path, ident)
    if readonly:
        opts += ",readonly=on"
    dev = "virtio-blk-pci,drive=%s" % ident
    if serial:
        dev += ",serial=" + serial
    if num_queues:
        dev += ",num-queues=%d" % num_queues
    return ["-drive", opts, "-device", dev]


def write_ranges(nr_sectors):
    """The (sector, count) pairs blk_write_verify writes."""
    out = []
    for k in range(200):
        n = 1 + (k * 13) % 64
        out.append(((k * 7919 + k * k * 31) % (nr_sectors - n), n))
    return out


def check_scratch(path):
    """Written ranges hold pattern ^ XOR, everything else is still zero."""
    written = set()
    for s, n in write_ranges(SCRATCH_SECTORS):
        written.update(range(s, s + n))
    zero = bytes(512)
    with open(path, "rb") as f:
        data = f.read()
    assert len(data) == SCRATCH_SECTORS * 512, len(data)
    bad = []
    for s in range(SCRATCH_SECTORS):
        got = data[s * 512:(s + 1) * 512]
        want = sector_bytes(pattern(s) ^ WRITE_XOR) if s in written else zero
        if got != want:
            bad.append(s)
    assert not bad, "%d sectors wrong on the host, first %s" % (len(bad), bad[:8])
    assert len(written) > 1000, len(written)


def run_tests(machine, smp, tests, extra, qmp=False, during=None):
    """Boot with test=<tests>; return the console output. during(v) runs
    while the guest is up (QMP actions)."""
    with vm(machine=machine, smp=smp, extra=extra, qmp=qmp, timeout=120,
            cmdline="console=ttyS0 test=%s panic=-1" % ",".join(tests)) as v:
        if during:
            during(v)
        status = v.wait()
        out = v.output
    summary = re.search(r"KTEST SUMMARY passed=(\d+) failed=(\d+)", out)
    assert summary, "no KTEST SUMMARY\n" + "\n".join(out.splitlines()[-40:])
    assert summary.group(1) == str(len(tests)) and summary.group(2) == "0" \
        and status == 1, "status %s\n%s" % (
            status, "\n".join(l for l in out.splitlines()
                              if "KTEST" in l or "BLK" in l or "vd" in l))
    return out


def queue_lines(out, disk="vda"):
    """{queue: {field: value}} from the last BLKTEST queue lines."""
    qs = {}
    for m in re.finditer(r"BLKTEST %s queue (\d+) (.*)" % disk, out):
        qs[int(m.group(1))] = {k: int(v) for k, v in
                               re.findall(r"(\w+)=(\d+)", m.group(2))}
    return qs


def read_write_case(machine, smp, name):
    pat = pattern_disk(name)
    scratch = scratch_disk(name)
    before = digest(pat)
    out = run_tests(machine, smp,
                    ["blk_pattern_read", "blk_write_verify", "blk_concurrent"],
                    drive(pat, "d0", serial="VIREO-PAT-01") +
                    drive(scratch, "d1", serial="scratch2"))
    # GET_ID: the serial numbers QEMU was given, in probe order.
    assert re.search(r'vda: .* serial "VIREO-PAT-01"', out), out[-3000:]
    assert re.search(r'vdb: .* serial "scratch2"', out), out[-3000:]
    assert re.search(r"concurrent 512: queue \d+ max_in_flight=(\d{2,})", out)
    check_scratch(scratch)
    assert digest(pat) == before, "the pattern disk was written"
    os.unlink(pat)
    os.unlink(scratch)


@case("virtio/blk/q35-read-write-concurrent")
def _():
    read_write_case("q35", 2, "q35")


@case("virtio/blk/pc-read-write-concurrent")
def _():
    read_write_case("pc", 1, "pc")


def queues_case(name, smp, nq):
    pat = pattern_disk(name)
    out = run_tests("q35", smp, ["blk_mq", "blk_concurrent"],
                    drive(pat, "d0", num_queues=nq))
    assert "BLKTEST vda sectors=%d queues=%d " % (PATTERN_SECTORS, nq) in out, \
        out[-2000:]
    qs = queue_lines(out)
    assert sorted(qs) == list(range(nq)), qs
    # Every queue carried requests and completed them on its own MSI-X
    # vector: the per-vector interrupt counts are all non-zero.
    for q, f in qs.items():
        assert f["requests"] > 0 and f["irqs"] > 0, (q, f)
    os.unlink(pat)


@case("virtio/blk/num-queues-1-smp2")
def _():
    queues_case("nq1", 2, 1)


@case("virtio/blk/num-queues-4-smp4")
def _():
    queues_case("nq4", 4, 4)


@case("virtio/blk/readonly-refuses-writes")
def _():
    pat = pattern_disk("ro")
    before = digest(pat)
    out = run_tests("q35", 2, ["blk_readonly", "blk_pattern_read"],
                    drive(pat, "d0", readonly=True))
    assert "BLKTEST vda sectors=%d queues=2 ro=1" % PATTERN_SECTORS in out
    assert re.search(r"vda: .* read-only", out)
    assert digest(pat) == before
    os.unlink(pat)


@case("virtio/blk/resize-config-change")
def _():
    scratch = scratch_disk("resize")
    grown = (SCRATCH_SECTORS + 2048) * 512

    def resize(v):
        v.expect(r"BLKTEST vdb waiting for resize from %d sectors" %
                 SCRATCH_SECTORS)
        v.qmp("block_resize", device="d1", size=grown)

    pat = pattern_disk("resize")
    out = run_tests("q35", 2, ["blk_resize"],
                    drive(pat, "d0") + drive(scratch, "d1"), qmp=True,
                    during=resize)
    assert "vdb: capacity changed from %d to %d sectors" % (
        SCRATCH_SECTORS, grown // 512) in out, out[-2000:]
    assert os.path.getsize(scratch) == grown
    os.unlink(pat)
    os.unlink(scratch)


@case("virtio/blk/unbind-with-requests-in-flight")
def _():
    pat = pattern_disk("unbind")
    scratch = scratch_disk("unbind")
    out = run_tests("q35", 2, ["blk_unbind"],
                    drive(pat, "d0") + drive(scratch, "d1", serial="again"))
    assert "vdb: removed" in out
    # Bound again under the same name, serial read again.
    assert len(re.findall(r'vdb: virtio\d+, .* serial "again"', out)) == 2
    os.unlink(pat)
    os.unlink(scratch)


@case("virtio/blk/microvm-read-write")
def _():
    pat = pattern_disk("microvm")
    scratch = scratch_disk("microvm")
    extra = drive(pat, "d0", serial="VIREO-PAT-01") + \
        drive(scratch, "d1", serial="scratch2")
    with vm(machine="microvm", smp=2, extra=extra, timeout=60,
            cmdline="console=ttyS0 test=blk_pattern_read panic=-1") as v:
        v.wait()
        out = v.output
    if not re.search(r"vda: virtio", out):
        os.unlink(pat)
        os.unlink(scratch)
        # Known gap (tests/integration/test_pci.py): no PCI on microvm yet.
        raise Skip("no PCI on microvm yet, so no virtio-blk-pci disks")
    read_write_case("microvm", 2, "microvm")
