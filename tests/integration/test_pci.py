"""[virtio] PCI: enumeration finds exactly what QEMU was given.

The expected list is not written here: it comes from QEMU itself (QMP
query-pci, read after the kernel enumerated, so bus numbers the kernel
assigned are visible there too). Vendor, device, class and BAR addresses
must match, including devices behind bridges and a nested PCIe switch.
"""

import re

from harness import case, vm

PCI_LINE = re.compile(r"pci ([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7]): "
                      r"\[([0-9a-f]{4}):([0-9a-f]{4})\] type ([0-9a-f]{2}) "
                      r"class 0x([0-9a-f]{6})")
BAR_LINE = re.compile(r"pci ([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]): BAR (\d) "
                      r"(io|mem) 0x([0-9a-f]+) size 0x([0-9a-f]+)")
# A memory BAR the kernel placed itself (no firmware did: microvm).
ASSIGNED_LINE = re.compile(r"pci ([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]): BAR (\d) "
                           r"assigned 0x([0-9a-f]+)")

PCIE_SWITCH = [
    "-device", "virtio-rng-pci",
    "-device", "pcie-root-port,id=rp1,chassis=1",
    "-device", "virtio-rng-pci,bus=rp1",
    "-device", "pcie-root-port,id=rp2,chassis=2",
    "-device", "x3130-upstream,id=up,bus=rp2",
    "-device", "xio3130-downstream,id=dn,bus=up,chassis=3",
    "-device", "virtio-rng-pci,bus=dn",
    "-device", "pcie-root-port,id=rp3,chassis=4",   # empty port
]

PCI_BRIDGE = [
    "-device", "virtio-rng-pci",
    "-device", "pci-bridge,id=br1,chassis_nr=1",
    "-device", "virtio-rng-pci,bus=br1,addr=3",
]


def qemu_view(v):
    """{(bus, slot, fn): (vendor, device, class16, {bar: addr})}"""
    out = {}

    def walk(devs):
        for d in devs:
            bars = {r["bar"]: r["address"] for r in d.get("regions", [])
                    if r.get("type") == "memory"}
            out[(d["bus"], d["slot"], d["function"])] = (
                d["id"]["vendor"], d["id"]["device"],
                d["class_info"]["class"], bars)
            if "pci_bridge" in d:
                walk(d["pci_bridge"].get("devices", []))
    for bus in v.qmp("query-pci"):
        walk(bus["devices"])
    return out


def kernel_view(text):
    devs, bars = {}, {}
    for m in PCI_LINE.finditer(text):
        key = (int(m.group(2), 16), int(m.group(3), 16), int(m.group(4), 16))
        devs[key] = (int(m.group(5), 16), int(m.group(6), 16),
                     int(m.group(8), 16) >> 8)
    def bar(m, addr):
        bdf = m.group(1).split(":")
        slot, fn = bdf[2].split(".")
        key = (int(bdf[1], 16), int(slot, 16), int(fn, 16))
        bars.setdefault(key, {})[int(m.group(2))] = int(addr, 16)
    for m in BAR_LINE.finditer(text):
        if m.group(3) == "mem":
            bar(m, m.group(4))
    for m in ASSIGNED_LINE.finditer(text):
        bar(m, m.group(3))
    return devs, bars


def check_enumeration(machine, extra):
    with vm(machine=machine, qmp=True, extra=["-nodefaults"] + extra,
            cmdline="console=ttyS0 loglevel=8", timeout=60) as v:
        v.expect(r"monitor: userspace cannot start")
        want = qemu_view(v)
        devs, bars = kernel_view(v.output)
    assert len(want) >= 4, want
    missing = set(want) - set(devs)
    extra_found = set(devs) - set(want)
    assert not missing and not extra_found, \
        "missing %s, unexpected %s" % (sorted(missing), sorted(extra_found))
    for key, (ven, dev, cls, qbars) in want.items():
        assert devs[key] == (ven, dev, cls), (key, devs[key], want[key])
        for bar, addr in qbars.items():
            # QEMU says -1 for a BAR that decodes nothing: every memory BAR
            # must have been given an address, and the same one we logged.
            assert addr != -1 and addr != 0xffffffffffffffff, \
                "%s BAR %d unassigned" % (key, bar)
            assert bars.get(key, {}).get(bar) == addr, \
                (key, bar, hex(addr), bars.get(key))
    return want


@case("pci/enum/q35-pcie-switch")
def _():
    want = check_enumeration("q35", PCIE_SWITCH)
    # Three virtio-rng functions, two of them behind bridges.
    assert sum(1 for k, v in want.items()
               if v[0] == 0x1af4 and v[1] in (0x1005, 0x1044)) == 3
    assert any(k[0] >= 2 for k in want), "nothing behind the switch"


@case("pci/enum/pc-pci-bridge")
def _():
    want = check_enumeration("pc", PCI_BRIDGE)
    assert any(k[0] == 1 and v[:2] == (0x1af4, 0x1005) for k, v in want.items())


@case("pci/enum/microvm-assigns-buses-and-bars")
def _():
    # QEMU 7.2's microvm has no MCFG: its ECAM window is the host bridge's
    # _CBA in the DSDT. Nothing assigns bus numbers or BARs on microvm
    # before the kernel.
    want = check_enumeration("microvm", PCIE_SWITCH)
    assert any(k[0] >= 2 for k in want), "bridges were not numbered"


@case("virtio/rng/bytes-vary-msix")
def _():
    for machine in ("q35", "pc", "microvm"):
        with vm(machine=machine, extra=["-device", "virtio-rng-pci"],
                cmdline="console=ttyS0 test=virtio_rng_bytes_vary panic=-1") as v:
            v.expect(r"virtio\d+: virtio-rng feeding the entropy pool")
            v.expect(r"KTEST SUMMARY passed=1 failed=0")
            assert v.wait() == 1, machine
            assert "MSI-X" in v.output
