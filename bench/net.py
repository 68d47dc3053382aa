#!/usr/bin/env python3
"""Network figures: Vireo's `bench=net` against host ends run here.

Not a test: prints a Markdown table. QEMU user networking (slirp) sits
between guest and host, so these measure Vireo's stack plus slirp plus
TCG; compare runs on the same machine only. Usage: bench/net.py [MIB]
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests"))
from qemu import VM  # noqa: E402
from net_host import HostEnds, free_port, send_to_guest  # noqa: E402

KERNEL = os.environ.get("KERNEL", "build/vireo.elf")
ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
MIB = int(ARGS[0]) if ARGS else 64
TRACE = "--trace" in sys.argv
EVENT_IDX = "--no-event-idx" not in sys.argv
TRACE_LOG = os.path.join("build", "bench", "net-trace.log")
TRACE_EVENTS = ["virtio_queue_notify", "virtio_notify", "virtqueue_pop"]
PHASES = ["ping", "udp_rtt_us", "udp_pps", "tcp_tx", "tcp_rx"]


def main():
    ends = HostEnds()
    hp = free_port()
    cmdline = ("console=ttyS0 ip=dhcp bench=net bench.mib=%d bench.udp_echo=%d "
               "bench.udp_sink=%d bench.tcp_sink=%d bench.tcp_port=8080" %
               (MIB, ends.udp_echo_port, ends.udp_sink_port,
                ends.tcp_sink_port))
    dev = "virtio-net-pci,netdev=n0"
    if not EVENT_IDX:
        dev += ",event_idx=off"
    if TRACE:
        dev += ",ioeventfd=off"
    extra = ["-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:8080" % hp,
             "-device", dev]
    marks = []
    if TRACE:
        os.makedirs(os.path.dirname(TRACE_LOG), exist_ok=True)
        for ev in TRACE_EVENTS:
            extra += ["-trace", ev]
        extra += ["-msg", "timestamp=on", "-D", TRACE_LOG]
    with VM(machine="q35", kernel=KERNEL, cmdline=cmdline, smp=2, mem="256M",
            extra=extra, timeout=300) as v:
        # The host time of each BENCH line ends that phase's window in
        # the trace (whose clock is the same wall clock).
        marks.append(("start", time.time()))
        while True:
            m = v.expect(r"BENCH net (\w+)[^\n]*?( ready)?\n")
            if m.group(2):
                break
            marks.append((m.group(1), time.time()))
        send_to_guest(hp, MIB)
        v.expect(r"BENCH net tcp_rx bytes")
        marks.append(("tcp_rx", time.time()))
        v.expect(r"BENCH net done")
        out = v.output
        argv = " ".join(v.argv)

    def grab(rx):
        m = re.search(rx, out)
        return m.groups() if m else None

    ping = grab(r"BENCH net ping rtt_us min=(\d+) avg=(\d+)")
    urtt = grab(r"BENCH net udp_rtt_us min=(\d+) avg=(\d+)")
    pps = grab(r"BENCH net udp_pps sent=(\d+) pps=(\d+)")
    tx = grab(r"BENCH net tcp_tx mib=(\d+) ms=(\d+) mib_s=(\d+)")
    rx = grab(r"BENCH net tcp_rx bytes=(\d+) ms=(\d+) mib_s=(\d+)")
    print("| figure (q35, TCG, -smp 2, slirp) | value |")
    print("|---|---|")
    print("| ICMP ping 10.0.2.2, min / avg | %s |" %
          ("%s / %s us" % ping if ping else "no reply"))
    print("| UDP round trip via host echo, min / avg | %s |" %
          ("%s / %s us" % urtt if urtt else "n/a"))
    print("| UDP 64-byte send rate (guest) / received by host | %s pps / %d of %s |" %
          (pps[1] if pps else "n/a", ends.udp_got, pps[0] if pps else "?"))
    print("| TCP guest -> host, %d MiB | %s |" %
          (MIB, "%s MiB/s (%s ms)" % (tx[2], tx[1]) if tx else "n/a"))
    print("| TCP host -> guest, %d MiB | %s |" %
          (MIB, "%s MiB/s (%s ms)" % (rx[2], rx[1]) if rx else "n/a"))
    print("\nCommand line: `%s`" % argv)
    if TRACE:
        print()
        trace_table(marks)


def trace_table(marks):
    """Per phase and queue (0 rx, 1 tx): kicks, interrupts and buffers
    from QEMU's trace, and the ratios per buffer."""
    qnum, events = {}, []
    with open(TRACE_LOG) as f:
        for line in f:
            m = re.match(r"\d+@(\d+\.\d+):(\w+) (.*)", line)
            if not m:
                continue
            t, ev, rest = float(m.group(1)), m.group(2), m.group(3)
            vq = re.search(r"vq (0x[0-9a-f]+)", rest)
            if ev == "virtio_queue_notify":
                n = re.search(r" n (\d+)", rest)
                qnum[vq.group(1)] = int(n.group(1))
            events.append((t, ev, vq.group(1) if vq else None))
    print("| phase | queue | buffers | kicks | kicks/buffer | interrupts | irqs/buffer |")
    print("|---|---|---|---|---|---|---|")
    for (_, t0), (name, t1) in zip(marks, marks[1:]):
        c = {}
        for t, ev, vq in events:
            if not t0 < t <= t1 or vq not in qnum:
                continue
            q = c.setdefault(qnum[vq], {"pop": 0, "kick": 0, "irq": 0})
            q[{"virtio_queue_notify": "kick", "virtio_notify": "irq",
               "virtqueue_pop": "pop"}[ev]] += 1
        for n in sorted(c):
            q = c[n]
            print("| %s | %s | %d | %d | %.3f | %d | %.3f |" %
                  (name, "rx" if n == 0 else "tx" if n == 1 else n, q["pop"], q["kick"],
                   q["kick"] / max(q["pop"], 1), q["irq"], q["irq"] / max(q["pop"], 1)))


if __name__ == "__main__":
    main()
