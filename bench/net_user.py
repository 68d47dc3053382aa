#!/usr/bin/env python3
"""Network figures from userspace: userspace/tests/t_net_bench.c as PID 1
(static musl, the socket system calls) against host ends run here; the
same measurements as bench/net.py's in-kernel `bench=net`, so the two
tables side by side show what the system-call and copy layer costs.

Not a test: prints a Markdown table. QEMU user networking (slirp) sits
between guest and host. Usage: bench/net_user.py [MIB]
(builds build/initramfs.cpio first: make userspace initramfs).
"""

import os
import re
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(ROOT, "tests"))
from qemu import VM  # noqa: E402
from net_host import HostEnds, free_port, send_to_guest  # noqa: E402

BUILD = os.environ.get("BUILD", "build")
KERNEL = os.path.join(ROOT, BUILD, "vireo.elf")
INITRD = os.path.join(ROOT, BUILD, "initramfs.cpio")
MIB = int(sys.argv[1]) if len(sys.argv) > 1 else 64


def main():
    subprocess.run(["make", "-s", "BUILD=" + BUILD, "kernel", "userspace", "initramfs"],
                   cwd=ROOT, check=True)
    ends = HostEnds()
    hp = free_port()
    cmdline = ("console=ttyS0 ip=dhcp rdinit=/test/t_net_bench -- %d %d %d %d" %
               (ends.udp_echo_port, ends.udp_sink_port,
                ends.tcp_sink_port, MIB))
    extra = ["-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:8080" % hp,
             "-device", "virtio-net-pci,netdev=n0"]
    with VM(machine="q35", kernel=KERNEL, initrd=INITRD, cmdline=cmdline, smp=2,
            mem="256M", extra=extra, timeout=300) as v:
        v.expect(r"UBENCH tcp_rx ready")
        send_to_guest(hp, MIB)
        v.expect(r"UBENCH done")
        out = v.output
        argv = " ".join(v.argv)

    def grab(rx):
        m = re.search(rx, out)
        return m.groups() if m else None

    urtt = grab(r"UBENCH udp_rtt_us min=(\d+) avg=(\d+) p50=(\d+) p99=(\d+)")
    pps = grab(r"UBENCH udp_pps sent=(\d+) pps=(\d+)")
    tx = grab(r"UBENCH tcp_tx mib=(\d+) ms=(\d+) mib_s=(\d+)")
    rx = grab(r"UBENCH tcp_rx bytes=(\d+) ms=(\d+) mib_s=(\d+)")
    print("| figure (q35, TCG, -smp 2, slirp), from userspace | value |")
    print("|---|---|")
    print("| ICMP ping | n/a: no ICMP sockets (SOCK_RAW) |")
    print("| UDP round trip via host echo, min / avg / p50 / p99 | %s |" %
          ("%s / %s / %s / %s us" % urtt if urtt else "n/a"))
    print("| UDP 64-byte send rate (guest) / received by host | %s pps / %d of %s |" %
          (pps[1] if pps else "n/a", ends.udp_got, pps[0] if pps else "?"))
    print("| TCP guest -> host, %d MiB | %s |" %
          (MIB, "%s MiB/s (%s ms)" % (tx[2], tx[1]) if tx else "n/a"))
    print("| TCP host -> guest, %d MiB | %s |" %
          (MIB, "%s MiB/s (%s ms)" % (rx[2], rx[1]) if rx else "n/a"))
    print("\nCommand line: `%s`" % argv)


if __name__ == "__main__":
    main()
