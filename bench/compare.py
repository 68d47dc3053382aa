#!/usr/bin/env python3
"""Vireo side by side with a Linux guest: `make bench`.

Boots Vireo (build/vireo.elf) and Debian's Linux kernel (bench/linux_guest.py)
on the same QEMU command line -- machine, accelerator, CPUs, memory and
devices (three virtio-blk disks, virtio-net on QEMU's user network,
virtio-rng) -- and runs the same static benchmark programs on both
(bench/guest/, built into build/bench/guest/ by `make bench-guest`). Rounds
alternate Vireo and Linux; each round is two boots per kernel:

  boot   /init prints its first line, sets the machine up and powers off:
         QEMU start -> init's first line, and -> QEMU exit;
  run    /init runs every benchmark program, then powers off.

Writes bench/results/DATE.md (median and spread per figure, a Vireo |
Linux | ratio table, interrupt counts, the exact command lines) and
bench/results/DATE.svg (gnuplot). A figure a kernel could not produce is
"n/a" with the reason its guest printed; nothing is estimated.

Usage: bench/compare.py [--rounds N] [--smp N] [--mem SIZE]
                        [--machine q35|pc|microvm] [--only vireo|linux]
"""

import argparse
import datetime
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, HERE)
from qemu import VM  # noqa: E402
import linux_guest  # noqa: E402

OUT = os.path.join(ROOT, "build", "bench")
GUEST = os.path.join(OUT, "guest")
RESULTS = os.path.join(HERE, "results")
PROGRAMS = ["getppid", "forkexec", "nop", "pipe", "blk", "ext2", "tcp"]
TCP_MIB = 64
# QEMU user networking: the guest's static address (Vireo's ip=; Linux's
# /init sets the same by ioctl, bench/guest/benchinit.c).
VIREO_IP = "ip=10.0.2.15::10.0.2.2:255.255.255.0::eth0:off"

# QEMU trace events counted in the traced run: a kick (the guest's
# notification write), an interrupt (after EVENT_IDX / flag suppression;
# the _irqfd form when QEMU's virtio-blk completes through its data-plane
# path) and a buffer taken off an available ring (one request).
TRACE_EVENTS = ["virtio_queue_notify", "virtio_notify", "virtio_notify_irqfd",
                "virtqueue_pop"]

# name -> (label, unit, higher is better, chart label)
FIGURES = [
    ("boot_init", "boot: QEMU start -> init's first line", "ms", False, "boot to init"),
    ("boot_off", "boot: QEMU start -> power-off (devices up)", "ms", False,
     "boot to power-off"),
    ("getppid", "getppid round trip", "ns", False, "getppid"),
    ("forkexec", "fork + exec + wait (static binary)", "us", False, "fork+exec+wait"),
    ("forkexit", "fork + exit + wait (no exec)", "us", False, "fork+exit+wait"),
    ("pipe", "pipe ping-pong round trip (2 processes)", "us", False, "pipe ping-pong"),
    ("ctxsw", "context switch (2 processes pinned to CPU 0)", "us", False,
     "context switch"),
    ("blk_seq", "virtio-blk sequential read, 128 KiB O_DIRECT", "MB/s", True,
     "blk seq read"),
    ("blk_rand_qd1", "virtio-blk 4 KiB random read, QD1", "IOPS", True,
     "blk 4K rand QD1"),
    ("blk_rand_qd32", "virtio-blk 4 KiB random read, QD32 (32 processes)", "IOPS", True,
     "blk 4K rand QD32"),
    ("ext2_create", "ext2 create empty files (+ sync)", "files/s", True, "ext2 create"),
    ("ext2_write", "ext2 sequential write 32 MiB (+ fsync)", "MB/s", True, "ext2 write"),
    ("ext2_read", "ext2 sequential read 32 MiB, cold", "MB/s", True, "ext2 cold read"),
    ("tcp_tx", "TCP guest -> host, 64 MiB (host-measured)", "MB/s", True, "TCP to host"),
]


# ---- disks ------------------------------------------------------------------

def raw_disk():
    """64 MiB of incompressible data, no two MiB alike (as bench/blk.py)."""
    path = os.path.join(OUT, "blk-64M.img")
    if not os.path.exists(path) or os.path.getsize(path) != 64 << 20:
        chunk = os.urandom(1 << 20)
        with open(path + ".tmp", "wb") as f:
            for i in range(64):
                f.write(chunk[i:] + chunk[:i])
        os.rename(path + ".tmp", path)
    return path


def ext2_disk():
    """A fresh, empty 128 MiB ext2 file system for each run."""
    path = os.path.join(OUT, "ext2-128M.img")
    if os.path.exists(path):
        os.unlink(path)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", "4096", path, "128M"],
                   check=True, stdout=subprocess.DEVNULL)
    return path


def spare_disk():
    """vda: an empty disk, so the benchmark disks are vdb and vdc as on a
    machine whose first disk is its root."""
    path = os.path.join(OUT, "spare-8M.img")
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.truncate(8 << 20)
    return path


def devices(trace=None):
    """The devices both kernels get, in PCI order (vda, vdb, vdc). With
    trace (a log file), QEMU logs every kick, interrupt and buffer the
    virtio devices see; ioeventfd is off then, so kicks go through the
    traced path (with it on, QEMU's event loop takes them untraced)."""
    opt = ",ioeventfd=off" if trace else ""
    argv = []
    for i, img in enumerate((spare_disk(), raw_disk(), ext2_disk())):
        argv += ["-drive", "file=%s,format=raw,if=none,id=d%d" % (img, i),
                 "-device", "virtio-blk-pci,drive=d%d%s" % (i, opt)]
    argv += ["-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0" + opt,
             "-device", "virtio-rng-pci" + opt]
    if trace:
        for ev in TRACE_EVENTS:
            argv += ["-trace", ev]
        argv += ["-msg", "timestamp=on", "-D", trace]
    return argv


# ---- initramfs ---------------------------------------------------------------

def initramfs(out, modules):
    """benchinit as /init, the programs in /bin; with modules, the Linux
    modules and /lib/modules/order (benchinit loads them)."""
    c = linux_guest.Cpio(out)
    for d in ("bin", "dev", "proc", "sys", "tmp", "mnt", "lib", "lib/modules"):
        c.dir(d)
    with open(os.path.join(GUEST, "benchinit"), "rb") as f:
        c.file("init", f.read())
    for p in PROGRAMS:
        with open(os.path.join(GUEST, p), "rb") as f:
            c.file("bin/" + p, f.read())
    order = []
    for m in modules:
        name = "lib/modules/" + os.path.basename(m)
        with open(m, "rb") as f:
            c.file(name, f.read(), 0o644)
        order.append("/" + name)
    if order:
        c.file("lib/modules/order", ("\n".join(order) + "\n").encode(), 0o644)
    c.close()
    return out


# ---- the host's TCP sink -------------------------------------------------------

class Sink:
    """Accepts one connection on the host's loopback (the guest reaches it
    as 10.0.2.2), reads to end of stream, closes; times first byte -> EOF."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.sock.settimeout(300)
        self.port = self.sock.getsockname()[1]
        self.bytes, self.seconds = 0, None
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            first = None
            while True:
                data = conn.recv(1 << 20)
                if not data:
                    break
                if first is None:
                    first = time.monotonic()
                self.bytes += len(data)
            if first is not None:
                self.seconds = time.monotonic() - first

    def close(self):
        self.sock.close()
        self.thread.join(5)


# ---- one boot ------------------------------------------------------------------

def parse(out):
    """BENCH lines -> {name: value}, their operation counts (ops=N) and
    other notes ("name: key=value ..."); BENCH-NA lines -> {name: reason}."""
    values, na, notes, ops = {}, {}, [], {}
    for m in re.finditer(r"^BENCH (\S+) ([\d.]+) (\S+)(.*)$", out, re.M):
        values[m.group(1)] = float(m.group(2))
        extra = m.group(4).strip()
        o = re.search(r"(?:^| )ops=(\d+)", extra)
        if o:
            ops[m.group(1)] = int(o.group(1))
            extra = (extra[:o.start()] + extra[o.end():]).strip()
        if extra:
            notes.append("%s: %s" % (m.group(1), extra))
    for m in re.finditer(r"^BENCH-NA (\S+) (.*)$", out, re.M):
        na[m.group(1)] = m.group(2).strip()
    return values, na, notes, ops


def interrupts(out, bench):
    """Per /proc/interrupts row: the count (all CPUs) added during bench."""
    rows = {}
    for m in re.finditer(r"^IRQS %s (before|after)\s+(\S+):((?:[ \t]+\d+)+)[ \t]+(.*)$"
                         % bench, out, re.M):
        key = (m.group(2), m.group(4).strip())
        n = sum(int(x) for x in m.group(3).split())
        rows.setdefault(key, {})[m.group(1)] = n
    return {k: v["after"] - v["before"] for k, v in rows.items()
            if "before" in v and "after" in v and v["after"] > v["before"]}


def boot(kernel, mode, a, trace=None):
    """One boot of kernel ("vireo" or "linux") in mode ("boot" or "run").
    With trace, QEMU logs virtio events there and res["marks"] has the
    host time (time.time(), the trace's clock) of each BENCH line."""
    sink = Sink() if mode == "run" else None
    init_args = "-- " + mode + (" %d" % sink.port if sink else "")
    if kernel == "vireo":
        kw = dict(kernel=a.vireo, initrd=a.vireo_initrd,
                  cmdline="console=ttyS0 quiet panic=-1 %s %s" % (VIREO_IP, init_args))
    else:
        kw = dict(kernel=a.linux, initrd=a.linux_initrd,
                  cmdline="console=ttyS0 quiet panic=-1 %s" % init_args)
    res = {"values": {}, "na": {}, "irqs": {}, "notes": [], "ops": {}, "marks": []}
    with VM(machine=a.machine, smp=a.smp, mem=a.mem, debug_exit=False,
            extra=devices(trace), timeout=a.timeout, qmp=bool(trace), **kw) as v:
        res["argv"] = v.argv
        try:
            v.expect(r"^BENCH-INIT start")
            res["values"]["boot_init"] = v.elapsed() * 1000
            name = "start"
            while trace:
                res["marks"].append((name, time.time(), jit_stats(v)))
                try:
                    m = v.expect(r"^BENCH(?:-NA)? (\S+) .*\n|^BENCH-INIT (ready)")
                except AssertionError:
                    break
                name = m.group(1) or m.group(2)
            v.wait()
            res["values"]["boot_off"] = v.elapsed() * 1000
        except AssertionError as e:
            res["error"] = str(e).splitlines()[0]
        out = v.output
    if mode == "boot":
        if "error" in res:
            for k in ("boot_init", "boot_off"):
                if k not in res["values"]:
                    res["na"][k] = res["error"]
        return res, out
    res["values"].pop("boot_init", None)
    res["values"].pop("boot_off", None)
    sink.close()
    values, na, res["notes"], res["ops"] = parse(out)
    res["values"].update(values)
    res["na"].update(na)
    if sink.seconds and sink.bytes == TCP_MIB << 20:
        res["values"]["tcp_tx"] = sink.bytes / sink.seconds / 1e6
    else:
        res["na"]["tcp_tx"] = na.get("tcp_tx_guest", "host received %d of %d bytes"
                                     % (sink.bytes, TCP_MIB << 20))
    for b in re.findall(r"^IRQS (\S+) before", out, re.M):
        res["irqs"][b] = interrupts(out, b)
    fsck = subprocess.run(["e2fsck", "-fn", os.path.join(OUT, "ext2-128M.img")],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    res["fsck"] = fsck.returncode
    if fsck.returncode and "ext2_write" in res["values"]:
        # Figures from a file system the kernel left damaged do not count.
        for k in ("ext2_create", "ext2_write", "ext2_read"):
            if k in res["values"]:
                del res["values"][k]
                res["na"][k] = "e2fsck -fn found errors afterwards"
    if "error" in res:
        for name, *_ in FIGURES[2:]:
            if name not in res["values"] and name not in res["na"]:
                res["na"][name] = res["error"]
    return res, out


def jit_stats(v):
    """QEMU's TCG counters: translated blocks made and invalidated (code
    translated anew, e.g. because the guest wrote to a page holding code)."""
    try:
        text = v.qmp("human-monitor-command", **{"command-line": "info jit"})
    except (AssertionError, OSError, ValueError):
        return None
    tbs = re.search(r"TB count\s+(\d+)", text)
    inval = re.search(r"TB invalidate count\s+(\d+)", text)
    return (int(tbs.group(1)), int(inval.group(1))) if tbs and inval else None


def trace_counts(log, marks):
    """Per benchmark: kicks, interrupts and requests (buffers popped) in the
    window from the previous BENCH line to its own, over all devices; and
    the translated blocks QEMU made and invalidated meanwhile."""
    events = []
    with open(log) as f:
        for line in f:
            m = re.match(r"\d+@(\d+\.\d+):(\w+) ", line)
            if m:
                events.append((float(m.group(1)), m.group(2)))
    counts = {}
    for (_, t0, j0), (name, t1, j1) in zip(marks, marks[1:]):
        c = counts.setdefault(name, {"kicks": 0, "irqs": 0, "reqs": 0})
        if j0 and j1:
            c["tbs"], c["tb_inval"] = j1[0] - j0[0], j1[1] - j0[1]
        for t, ev in events:
            if t0 < t <= t1:
                if ev == "virtio_queue_notify":
                    c["kicks"] += 1
                elif ev.startswith("virtio_notify"):
                    c["irqs"] += 1
                elif ev == "virtqueue_pop":
                    c["reqs"] += 1
    return counts


# ---- report ----------------------------------------------------------------------

def fmt(x):
    if x >= 100:
        return "%.0f" % x
    if x >= 10:
        return "%.1f" % x
    return "%.2f" % x


def summary(samples):
    return statistics.median(samples), min(samples), max(samples)


def notes_of(runs, name):
    """What the program noted about name (e.g. pinned=yes), over runs."""
    return sorted({n[len(name) + 2:] for r in runs for n in r["notes"]
                   if n.startswith(name + ": ")})


def cell(samples, unit, runs, name):
    """median unit (min-max), and what the program noted about it."""
    if not samples:
        return None
    med, lo, hi = summary(samples)
    return "%s %s (%s-%s)%s" % (fmt(med), unit, fmt(lo), fmt(hi), "".join(
        " " + n for n in notes_of(runs, name)))


def na_reason(runs, name):
    reasons = [r["na"][name] for r in runs if name in r["na"]]
    if reasons:
        return "n/a (%s)" % max(set(reasons), key=reasons.count)
    return "n/a (not reported)"


def collect(runs, name):
    return [r["values"][name] for r in runs if name in r["values"]]


def chart(rows, path):
    """Horizontal bars of the ratios (log scale, table order from the top),
    gnuplot -> SVG."""
    data = path + ".dat"
    n = len(rows)
    with open(data, "w") as f:
        for i, (label, ratio) in enumerate(rows):
            f.write('%d "%s" %g "%.2fx"\n' % (n - 1 - i, label, ratio, ratio))
    script = """
set terminal svg size 760,%d dynamic font "sans,12" background "white"
set output '%s'
set title "Vireo / Linux guest, same QEMU line (> 1: Vireo better; * methods differ)"
set logscale x 10
set xrange [0.01:100]
set yrange [-0.7:%g]
set ytics nomirror
set xtics ("0.01" 0.01, "0.1" 0.1, "1" 1, "10" 10, "100" 100)
set grid xtics
set style fill solid 0.7 border -1
unset key
set arrow from 1,-0.7 to 1,%g nohead lw 2 lc rgb "black"
plot '%s' using 3:1:($3 < 1 ? $3 : 1):($3 < 1 ? 1 : $3):($1-0.35):($1+0.35):ytic(2) \\
       with boxxyerror lc rgb "#4a7ab5", \\
     '' using ($3 >= 1 ? $3 * 1.08 : NaN):1:4 with labels left font "sans,10", \\
     '' using ($3 < 1 ? $3 / 1.08 : NaN):1:4 with labels right font "sans,10"
""" % (90 + 30 * n, path, n - 0.3, n - 0.3, data)
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    os.unlink(data)


# The traced window is named by the guest's BENCH line; the host-measured
# TCP figure has the guest's line tcp_tx_guest.
COUNT_KEY = {"tcp_tx": "tcp_tx_guest"}


def count_table(counts):
    """Markdown rows: per benchmark that touched a device, kicks and
    interrupts per request on each kernel."""
    kernels = [k for k in ("vireo", "linux") if k in counts]
    head = "| benchmark |" + "".join(
        " %s requests | kicks/req | irqs/req |" % k.capitalize() for k in kernels)
    rows = [head, "|---|" + "---|---|---|" * len(kernels)]
    for name, label, *_ in FIGURES:
        cs = [counts[k].get(COUNT_KEY.get(name, name)) for k in kernels]
        if not any(c and c.get("reqs", 0) >= 10 for c in cs):
            continue                # no device traffic to speak of
        row = "| %s |" % label
        for c in cs:
            if not c or not c.get("reqs"):
                row += " - | - | - |"
            else:
                row += " %d | %.2f | %.2f |" % (c["reqs"], c["kicks"] / c["reqs"],
                                               c["irqs"] / c["reqs"])
        rows.append(row)
    return rows


def jit_table(counts):
    """Markdown rows: per process benchmark, blocks QEMU translated and
    invalidated per operation on each kernel."""
    kernels = [k for k in ("vireo", "linux") if k in counts]
    rows = ["| benchmark |" + "".join(" %s TBs translated/op | TBs invalidated/op |"
                                       % k.capitalize() for k in kernels),
            "|---|" + "---|---|" * len(kernels)]
    for name, label, *_ in FIGURES:
        cs = [counts[k].get(name) or {} for k in kernels]
        if not any("ops" in c and "tbs" in c for c in cs):
            continue
        row = "| %s |" % label
        for c in cs:
            if "ops" in c and "tbs" in c:
                row += " %.1f | %.1f |" % (c["tbs"] / c["ops"], c["tb_inval"] / c["ops"])
            else:
                row += " - | - |"
        rows.append(row)
    return rows


def report(runs, counts, a, out_md, out_svg):
    lines = []
    today = datetime.date.today().isoformat()
    qemu = subprocess.run(["qemu-system-x86_64", "--version"], stdout=subprocess.PIPE,
                          text=True).stdout.splitlines()[0]
    _, lversion = linux_guest.kernel()
    commit = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                            stdout=subprocess.PIPE, text=True).stdout.strip()
    lines += ["# Vireo vs Linux, side by side (%s)" % today, "",
              "`make bench` (bench/compare.py, %d rounds alternating Vireo and Linux). "
              "Each cell: median (min-max) over the rounds. **Ratio > 1 means Vireo "
              "is better**: Linux/Vireo for times, Vireo/Linux for rates." % a.rounds, "",
              "- Vireo: %s (git %s)" % (os.path.relpath(a.vireo, ROOT), commit),
              "- Linux: Debian's %s (%s), modules loaded by the same /init" % (
                  os.path.basename(a.linux), lversion),
              "- %s, -M %s, -accel %s, -smp %s, -m %s; host: %d CPUs, load average "
              "%.1f at the start, %.1f at the end (shared machine)" % (
                  qemu, a.machine, a.accel_desc, a.smp, a.mem, os.cpu_count(),
                  a.load_start, os.getloadavg()[0]), "",
              "| benchmark | Vireo | Linux | ratio (>1: Vireo better) |",
              "|---|---|---|---|"]
    chart_rows = []
    vruns = [r for k, r in runs if k == "vireo"]
    lruns = [r for k, r in runs if k == "linux"]
    for name, label, unit, higher, short in FIGURES:
        kind = "boot" if name.startswith("boot") else "run"
        vr = [r for r in vruns if r["mode"] == kind]
        lr = [r for r in lruns if r["mode"] == kind]
        vs, ls = collect(vr, name), collect(lr, name)
        vcell = cell(vs, unit, vr, name) or (na_reason(vr, name) if vr else "not run")
        lcell = cell(ls, unit, lr, name) or (na_reason(lr, name) if lr else "not run")
        ratio = "-"
        if vs and ls:
            v, l = statistics.median(vs), statistics.median(ls)
            r = v / l if higher else l / v
            ratio = "%.2f" % r
            if notes_of(vr, name) != notes_of(lr, name):
                # e.g. one kernel could not pin the processes to a CPU
                ratio += " (methods differ: see the notes in the cells)"
                short += " *"
            chart_rows.append((short, r))
        lines.append("| %s | %s | %s | %s |" % (label, vcell, lcell, ratio))
    fsck = [(k, r["fsck"]) for k, r in runs if "fsck" in r]
    if fsck:
        lines += ["", "`e2fsck -fn` of the ext2 disk after each run: " + ", ".join(
            "%s %s" % (k, "clean" if rc == 0 else "exit %d" % rc) for k, rc in fsck)]
    if counts:
        lines += ["", "## Kicks and interrupts per request (QEMU's own count)", "",
                  "One extra run per kernel with QEMU tracing virtio_queue_notify "
                  "(kicks), virtio_notify/virtio_notify_irqfd (interrupts sent) and "
                  "virtqueue_pop (requests: buffers the device took), over all devices, "
                  "between the BENCH line before and the benchmark's own (so the "
                  "read benchmark includes its warm-up pass). Devices with "
                  "`ioeventfd=off` in that run only, so QEMU traces every kick; its "
                  "figures are not in the table above.", ""]
        lines += count_table(counts)
        lines += ["", "The same run, QEMU's `info jit` before and after each program: "
                  "translated blocks (TBs) made and invalidated per operation. Under TCG "
                  "a kernel that puts a program's code in new page frames each time "
                  "makes QEMU translate it again.", ""]
        lines += jit_table(counts)
    lines += ["", "## Interrupts during each program (the guest's own count)", "",
              "Rows of /proc/interrupts that grew while the program ran (each kernel's "
              "own names), summed over CPUs, from the last round; the six largest, "
              "and per operation where the program counted them (a fork, a round "
              "trip):", ""]
    for k, rs in (("vireo", vruns), ("linux", lruns)):
        rr = [r for r in rs if r["mode"] == "run"]
        if not rr:
            continue
        for b, rows in rr[-1]["irqs"].items():
            ops = rr[-1]["ops"].get(b)
            desc = ", ".join("%s %s: %d%s" % (irq, " ".join(name.split()), n,
                                               " (%.2f/op)" % (n / ops) if ops else "")
                             for (irq, name), n in
                             sorted(rows.items(), key=lambda x: -x[1])[:6])
            lines.append("- %s `%s`: %s" % (k, b, desc or "none"))
    lines += ["", "Why Vireo is slower where it is, from these counts: "
              "[bench/findings.md](../findings.md) (hand-written).",
              "", "## Command lines", "",
              "Disks: vda an empty 8 MiB image, vdb 64 MiB of random data (raw reads), "
              "vdc a fresh `mke2fs -t ext2 -b 4096` 128 MiB image each run. The initramfs "
              "holds bench/guest/benchinit.c as /init and the programs in /bin (Linux's "
              "also the virtio and ext4 modules).", ""]
    shown = set()
    for k, r in runs:
        key = (k, r["mode"])
        if key in shown:
            continue
        shown.add(key)
        argv = " ".join(("'%s'" % x) if " " in x else x for x in r["argv"])
        argv = argv.replace(ROOT + "/", "")
        lines += ["- %s, %s: `%s`" % (k, r["mode"], argv)]
    with open(out_md, "w") as f:
        f.write("\n".join(lines) + "\n")
    if chart_rows:
        chart(chart_rows, out_svg)
    return lines


def build_initrds(a):
    os.makedirs(OUT, exist_ok=True)
    for p in PROGRAMS + ["benchinit"]:
        if not os.path.exists(os.path.join(GUEST, p)):
            raise SystemExit("%s/%s missing: run `make bench-guest`" % (GUEST, p))
    a.linux, lversion = linux_guest.kernel()
    a.vireo_initrd = initramfs(os.path.join(OUT, "vireo-bench.cpio"), [])
    a.linux_initrd = initramfs(os.path.join(OUT, "linux-bench.cpio"),
                               linux_guest.module_order(lversion))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--smp", default="2")
    ap.add_argument("--mem", default="256M")
    ap.add_argument("--machine", default="q35")
    ap.add_argument("--only", choices=["vireo", "linux"])
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--vireo", default=os.path.join(ROOT, "build", "vireo.elf"))
    ap.add_argument("--no-trace", action="store_true",
                    help="skip the traced run that counts kicks and interrupts")
    ap.add_argument("--out", default=RESULTS,
                    help="directory for DATE.md and DATE.svg (default bench/results)")
    a = ap.parse_args()
    a.accel_desc = "tcg -cpu max"
    a.load_start = os.getloadavg()[0]
    build_initrds(a)
    kernels = [a.only] if a.only else ["vireo", "linux"]
    runs = []
    for rnd in range(a.rounds):
        for k in kernels:
            for mode in ("boot", "run"):
                t = time.monotonic()
                res, out = boot(k, mode, a)
                res["mode"] = mode
                runs.append((k, res))
                with open(os.path.join(OUT, "%s-%s-%d.log" % (k, mode, rnd)), "w") as f:
                    f.write(out)
                print("round %d %s %s: %.1f s %s" % (
                    rnd + 1, k, mode, time.monotonic() - t,
                    " ".join("%s=%s" % (n, fmt(v)) for n, v in res["values"].items())),
                    flush=True)
    counts = {}
    for k in ([] if a.no_trace else kernels):
        log = os.path.join(OUT, "%s-trace.log" % k)
        if os.path.exists(log):
            os.unlink(log)
        res, out = boot(k, "run", a, trace=log)
        with open(os.path.join(OUT, "%s-traced-run.log" % k), "w") as f:
            f.write(out)
        counts[k] = trace_counts(log, res["marks"])
        for name, n in res["ops"].items():
            counts[k].setdefault(name, {})["ops"] = n
        with open(os.path.join(OUT, "%s-trace-counts.json" % k), "w") as f:
            json.dump(counts[k], f, indent=1)
    os.makedirs(a.out, exist_ok=True)
    day = datetime.date.today().isoformat()
    md = os.path.join(a.out, day + ".md")
    lines = report(runs, counts, a, md, os.path.join(a.out, day + ".svg"))
    print("\n".join(lines))
    print("\nwrote %s" % os.path.relpath(md, ROOT))


if __name__ == "__main__":
    main()
