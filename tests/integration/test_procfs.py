"""[sysfs] busybox's tools on /proc and /sys, checked against the VM the
test started: busybox sh runs as init from the default root image
(images/mkroot.sh) on virtio-blk, next to a virtio-rng and a virtio-net
device at known slots, and the test types commands at its prompt.

  lspci        every function QEMU reports (QMP query-pci): slot, class,
               vendor:device and subsystem ids, and a driver for virtio
               (also on pc and microvm)
  ps, top      the pids and commands of background sleeps the test started
  /proc/PID    cmdline, environ, exe, cwd, fd/, maps, stat (state, parent,
               start time, size), statm against what those processes were
               given
  free         /proc/meminfo and the frame allocator's count from the log
  mount        exactly the mounts a process under the ext2 root can see
  uptime       /proc/uptime and /proc/loadavg
  interrupts   the disk's MSI-X rows grow while dd reads the disk
  /sys/block/vda/size   the image's size in sectors
and a pid directory that was looked up goes away with its process (the
dentry cache revalidates generated entries).

Unbinding virtio-blk under a mounted file system: refused (EBUSY) while
mounted; after umount the disk goes and comes back idle, and again while
dd reads it (dd's reads fail, the unbind waits for it to close the disk).
"""

import os
import re
import shutil
import threading

from harness import case, vm, run, ROOT, BUILD

_build_lock = threading.Lock()
PROMPT = r"/ # "


def rootfs(name):
    """A private copy of build/rootfs.ext2 (made once per run)."""
    with _build_lock:
        run("make -s BUILD=%s userspace rootfs" % BUILD)
    img = os.path.join(ROOT, BUILD, "test", "procfs-%s.ext2" % name)
    os.makedirs(os.path.dirname(img), exist_ok=True)
    shutil.copyfile(os.path.join(ROOT, BUILD, "rootfs.ext2"), img)
    return img


class Shell:
    """busybox sh as PID 1 on the serial console."""

    def __init__(self, v):
        self.v, self.n = v, 0
        v.expect(PROMPT)

    def run(self, cmd, timeout=60):
        """Run cmd; return what it printed (markers keep the echo out)."""
        self.n += 1
        tag = "Q%dQ" % self.n
        self.v.send("echo B%s; %s; echo E%s\r" % (tag, cmd, tag))
        self.v.expect(r"\nB%s\n" % tag, timeout)
        out = self.v.expect(r"(?s)(.*?)E%s\n" % tag, timeout).group(1)
        self.v.expect(PROMPT, timeout)
        return out


def boot(img, extra=(), qmp=False, smp=2, machine="q35"):
    drives = ["-drive", "file=%s,if=none,id=d0,format=raw" % img,
              "-device", "virtio-blk-pci,drive=d0,addr=0x4"]
    return vm(timeout=240, smp=smp, qmp=qmp, machine=machine, extra=drives + list(extra),
              cmdline="console=ttyS0 tty.winsize=250x50 root=/dev/vda "
                      "rootfstype=ext2 init=/bin/sh")


def stat_fields(text):
    """/proc/PID/stat split into its 52 fields (comm may hold blanks)."""
    head, tail = text.rsplit(")", 1)
    pid, comm = head.split(" (", 1)
    return [pid, comm] + tail.split()


def irq_sum(text, dev):
    """Interrupts of dev's queue rows ("virtioN.Q"), all CPUs."""
    total = 0
    for line in text.splitlines():
        if re.search(r"\s%s\.\d+$" % dev, line):
            total += sum(int(x) for x in re.findall(r"\s(\d+)", line.split(":", 1)[1]
                                                    .split("PCI-MSIX")[0]))
    return total


EXTRA_DEVICES = ["-device", "virtio-rng-pci,addr=0x5", "-netdev", "user,id=n0",
                 "-device", "virtio-net-pci,netdev=n0,addr=0x6"]


def check_lspci(v, sh):
    """lspci -mk against QMP's query-pci: every function QEMU has."""
    want = {}
    for bus in v.qmp("query-pci"):
        for d in bus["devices"]:
            slot = "%02x:%02x.%x" % (d["bus"], d["slot"], d["function"])
            ids = d["id"]
            want[slot] = ("%04x" % d["class_info"]["class"],
                          "%04x" % ids["vendor"], "%04x" % ids["device"],
                          "%04x" % ids.get("subsystem-vendor", 0),
                          "%04x" % ids.get("subsystem", 0))
    got, drivers = {}, {}
    for line in sh.run("lspci -mk").splitlines():
        m = re.match(r'(\S+) "Class (\w{4})" "(\w{4})" "(\w{4})" "(\w{4})" "(\w{4})"'
                     r'(?: "(\S+)")?$', line)
        assert m, line
        got[m.group(1)] = m.groups()[1:6]
        drivers[m.group(1)] = m.group(7)
    assert got == want, (got, want)
    for slot, cls, did in (("00:04.0", "0100", "1001"), ("00:05.0", "00ff", "1005"),
                           ("00:06.0", "0200", "1000")):
        assert got[slot][:3] == (cls, "1af4", did), got[slot]
        assert drivers[slot], slot
    plain = sh.run("lspci")
    assert "00:04.0 Class 0100: 1af4:1001\n" in plain, plain


@case("procfs/busybox-tools-match-the-vm")
def _():
    img = rootfs("tools")
    with boot(img, EXTRA_DEVICES, qmp=True) as v:
        sh = Shell(v)
        sh.run("mount -t proc proc /proc; mount -t sysfs sysfs /sys")
        check_lspci(v, sh)

        # Background processes with known arguments, environment,
        # directory and descriptors; start times a second apart.
        pids = sh.run("cd /tmp; FOO=bar sleep 37 < /etc/passwd & echo P=$!; cd /; "
                      "sleep 1; sleep 41 & echo P=$!")
        p1, p2 = re.findall(r"P=(\d+)", pids)
        ps = sh.run("ps")
        # busybox sh runs applets by exec'ing /proc/self/exe: until the
        # applet renames itself the comm is "exe", which ps shows in braces.
        assert re.search(r"^\s*%s root\s+(\{exe\} )?sleep 37$" % p1, ps, re.M), ps
        assert re.search(r"^\s*%s root\s+(\{exe\} )?sleep 41$" % p2, ps, re.M), ps
        assert re.search(r"^\s*1 root\s+/bin/sh$", ps, re.M), ps
        listed = set(re.findall(r"^\s*(\d+) ", ps, re.M))
        in_proc = set(sh.run("ls /proc | grep '^[0-9]*$'").split())
        # ps itself may be gone from /proc by the time ls runs, and ls
        # was not running yet when ps read /proc.
        assert {"1", p1, p2} <= listed & in_proc, (listed, in_proc)

        top = sh.run("top -n 1 -b")
        assert re.search(r"^Mem: \d+K used, \d+K free", top, re.M), top
        row = re.search(r"^\s*%s\s+1 root\s+S\s+(\d+)\s+\d+%%\s+\d+%% sleep 37$" % p1,
                        top, re.M)
        assert row, top
        f1 = stat_fields(sh.run("cat /proc/%s/stat" % p1).strip())
        f2 = stat_fields(sh.run("cat /proc/%s/stat" % p2).strip())
        assert len(f1) == 52 and f1[1] in ("sleep", "exe") and f1[2] == "S" and f1[3] == "1", f1
        assert int(row.group(1)) == int(f1[22]) // 1024, (row.group(1), f1[22])
        uptime = float(sh.run("cat /proc/uptime").split()[0])
        start1, start2 = int(f1[21]), int(f2[21])
        assert 0 < start1 and start1 + 90 <= start2 <= uptime * 100 + 1, (start1, start2, uptime)

        assert sh.run("tr '\\0' ' ' < /proc/%s/cmdline; echo" % p1) == "sleep 37 \n"
        env = sh.run("tr '\\0' '\\n' < /proc/%s/environ" % p1).split()
        assert "FOO=bar" in env, env
        assert sh.run("readlink /proc/%s/exe" % p1).strip() == "/usr/bin/busybox"
        assert sh.run("readlink /proc/%s/cwd" % p1).strip() == "/tmp"
        assert sh.run("readlink /proc/%s/fd/0" % p1).strip() == "/etc/passwd"
        assert sh.run("ls /proc/%s/fd" % p1).split() == ["0", "1", "2"]
        maps = sh.run("cat /proc/%s/maps" % p1)
        assert re.search(r"^00400000-\w+ r--p 00000000 \w\w:\w\w \d+ +/usr/bin/busybox$",
                         maps, re.M), maps
        assert re.search(r"-7ffffffff000 rw-p 00000000 00:00 0 +\[stack\]$", maps, re.M), maps
        # statm: the same areas and resident set, in pages.
        statm = [int(x) for x in sh.run("cat /proc/%s/statm" % p1).split()]
        areas = [[int(x, 16) for x in l.split()[0].split("-")] + [l.split()[1]]
                 for l in maps.splitlines()]
        assert statm[0] * 4096 == sum(e - s for s, e, _ in areas) == int(f1[22]), (statm, f1)
        assert statm[1] == int(f1[23]), (statm, f1)
        assert statm[3] * 4096 == sum(e - s for s, e, p in areas if "x" in p), statm

        # Job control: a stopped process shows T; killed, it goes.
        out = sh.run("kill -STOP %s; for i in 1 2 3 4 5; do grep -q '^State:.T (stopped)' "
                     "/proc/%s/status && break; sleep 1; done; cut -d' ' -f3 /proc/%s/stat; "
                     "ps -o pid,stat | grep '^ *%s '" % (p2, p2, p2, p2))
        assert out.split()[:3] == ["T", p2, "T"], out
        out = sh.run("kill -CONT %s; kill %s; wait %s; echo rc=$?; "
                     "cat /proc/%s/stat 2>/dev/null || echo NOPE" % (p2, p2, p2, p2))
        assert "rc=143" in out and "NOPE" in out, out

        # A pid directory in the dentry cache goes with its process.
        short = sh.run("sleep 1 & echo P=$!; ls /proc/$! > /dev/null && echo SEEN")
        p3 = re.search(r"P=(\d+)", short).group(1)
        assert "SEEN" in short
        sh.run("sleep 2")
        assert "NOPE" in sh.run("ls /proc/%s 2>/dev/null || echo NOPE" % p3)
        assert "NOPE" in sh.run("cat /proc/%s/stat 2>/dev/null || echo NOPE" % p3)

        # free against /proc/meminfo and the frame allocator's own count.
        frames = int(re.search(r"mm: \d+ of (\d+) frames free", v.output).group(1))
        meminfo = dict(re.findall(r"^(\w+):\s+(\d+) kB$", sh.run("cat /proc/meminfo"), re.M))
        free = sh.run("free").splitlines()
        mem = free[1].split()
        assert mem[0] == "Mem:" and int(mem[1]) == int(meminfo["MemTotal"]) == frames * 4
        assert 240 * 1024 <= frames * 4 <= 256 * 1024, frames
        assert abs(int(mem[3]) - int(meminfo["MemFree"])) < 2048, (mem, meminfo)
        assert int(mem[1]) == int(mem[2]) + int(mem[3]) + int(mem[5]), mem

        # mount: what a process under the ext2 root sees, with options.
        mounts = sh.run("mount").splitlines()
        assert sorted(mounts) == sorted([
            "/dev/vda on / type ext2 (rw,noatime)",
            "devtmpfs on /dev type devtmpfs (rw,noatime)",
            "proc on /proc type proc (rw,noatime)",
            "sysfs on /sys type sysfs (rw,noatime)"]), mounts

        # uptime against /proc/uptime and /proc/loadavg.
        out = sh.run("uptime; cat /proc/uptime /proc/loadavg").splitlines()
        m = re.match(r" \d\d:\d\d:\d\d up\s+(\d+) min,\s+0 users,\s+load average: "
                     r"(\d+\.\d\d), (\d+\.\d\d), (\d+\.\d\d)$", out[0])
        assert m, out
        assert int(m.group(1)) == int(float(out[1].split()[0]) // 60), out
        # busybox truncates sysinfo's loads where /proc/loadavg rounds.
        for a, b in zip(m.groups()[1:], out[2].split()[:3]):
            assert 0 <= float(b) - float(a) <= 0.011, out

        # The disk: its size, and its interrupts growing under reads.
        assert int(sh.run("cat /sys/block/vda/size")) == os.path.getsize(img) // 512
        dev = sh.run("basename $(readlink /sys/block/vda/device)").strip()
        assert re.match(r"virtio\d+$", dev), dev
        before = sh.run("cat /proc/interrupts")
        assert re.search(r"PCI-MSIX-0000:00:04\.0\s+\d+-edge\s+%s\.0$" % dev, before, re.M), before
        sh.run("dd if=/dev/vda of=/dev/null bs=4k count=1000 skip=4096")
        after = sh.run("cat /proc/interrupts")
        assert irq_sum(after, dev) >= irq_sum(before, dev) + 10, (before, after)
    os.unlink(img)


@case("sysfs/unbind-virtio-blk-with-mounted-fs")
def _():
    img = rootfs("unbind")
    data = os.path.join(ROOT, BUILD, "test", "procfs-unbind-data.ext2")
    run("rm -f %s && mke2fs -q -F -t ext2 %s 8M" % (data, data))
    extra = ["-drive", "file=%s,if=none,id=d1,format=raw" % data,
             "-device", "virtio-blk-pci,drive=d1,addr=0x5"]
    with boot(img, extra) as v:
        sh = Shell(v)
        sh.run("mount -t proc proc /proc; mount -t sysfs sysfs /sys; mkdir -p /mnt; "
               "mount -t ext2 /dev/vdb /mnt && echo kept > /mnt/f")
        dev = sh.run("basename $(readlink /sys/block/vdb/device)").strip()
        drv = sh.run("basename $(readlink /sys/bus/virtio/devices/%s/driver)" % dev).strip()
        unbind = "/sys/bus/virtio/drivers/%s/unbind" % drv
        bind = "/sys/bus/virtio/drivers/%s/bind" % drv
        # Mounted (the root disk and vdb): refused, nothing changes.
        root_dev = sh.run("basename $(readlink /sys/block/vda/device)").strip()
        for d in (root_dev, dev):
            out = sh.run("echo %s > %s; echo rc=$?" % (d, unbind))
            assert "Device or resource busy" in out and "rc=1" in out, out
        # The PCI function under it (addr=0x5 above): refused as well.
        out = sh.run("echo 0000:00:05.0 > /sys/bus/pci/drivers/virtio-pci/unbind; echo rc=$?")
        assert "Device or resource busy" in out and "rc=1" in out, out
        assert sh.run("cat /mnt/f").strip() == "kept"

        # Idle after umount: the disk goes, then comes back intact.
        out = sh.run("umount /mnt && echo %s > %s; echo rc=$?; ls /sys/block" % (dev, unbind))
        assert "rc=0" in out and "vdb" not in out.split(), out
        assert "NOPE" in sh.run("cat /sys/block/vdb/size 2>/dev/null || echo NOPE")
        out = sh.run("echo %s > %s; echo rc=$?; cat /sys/block/vdb/size" % (dev, bind))
        assert "rc=0" in out and "16384" in out, out
        sh.run("mount -t ext2 /dev/vdb /mnt")
        assert sh.run("cat /mnt/f").strip() == "kept"

        # Reads in flight: dd's reads fail once the disk is gone; the
        # unbind returns when dd has closed it.
        out = sh.run("umount /mnt; dd if=/dev/vdb of=/dev/null bs=4k 2> /tmp/dd.err & "
                     "echo %s > %s; echo rc=$?; sleep 1; cat /tmp/dd.err; ls /sys/block"
                     % (dev, unbind), timeout=120)
        assert "rc=0" in out and "vdb" not in out.split(), out
        out = sh.run("echo %s > %s; echo rc=$?; mount -t ext2 /dev/vdb /mnt && cat /mnt/f"
                     % (dev, bind))
        assert "rc=0" in out and "kept" in out, out
        # Still healthy: the root disk works and the log has no oops.
        assert sh.run("cat /sys/block/vda/size").strip() == str(os.path.getsize(img) // 512)
        sh.run("umount /mnt; sync")
    assert "vdb: removed" in v.output
    assert not re.search(r"panic|BUG|oops|#PF", v.output), v.tail()
    run("e2fsck -fn %s" % data)
    os.unlink(img)
    os.unlink(data)


@case("procfs/lspci-on-pc-and-microvm")
def _():
    # Port-I/O configuration space (pc) and the microvm's PCIe host.
    img = rootfs("lspci")
    for machine in ("pc", "microvm"):
        with boot(img, EXTRA_DEVICES, qmp=True, machine=machine) as v:
            sh = Shell(v)
            sh.run("mount -t sysfs sysfs /sys")
            check_lspci(v, sh)
            v.send("poweroff -f\r")
            v.wait()
    os.unlink(img)
