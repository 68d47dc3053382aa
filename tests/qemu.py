#!/usr/bin/env python3
"""Boot Vireo in QEMU: the one place that knows QEMU's command line.

Used three ways: `make run` (interactive, serial on this terminal), the test
runner (tests/run.py: boot, read the serial console with timeouts, check
what it printed, collect the exit status) and bench/ scripts.

Machines: q35 (default), pc (i440fx, port-I/O PCI config) and microvm
(`-M microvm,pcie=on,acpi=on`, fastest boot). Accelerator: tcg (default,
`-accel tcg -cpu max`) or kvm (`-accel kvm -cpu host`).
"""

import argparse
import json
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time

MACHINES = {
    "q35": "q35",
    "pc": "pc",
    "microvm": "microvm,pcie=on,acpi=on",
}

OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"

# isa-debug-exit: the kernel writes a status to port 0xf4 and QEMU exits
# with (status << 1) | 1.
DEBUG_EXIT = ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]


def qemu_argv(machine="q35", accel="tcg", smp=1, mem="256M", kernel=None,
              iso=None, uefi=False, cmdline="console=ttyS0", initrd=None,
              debug_exit=True, extra=(), serial=("stdio",), gdb=False,
              vars_file=None, monitor="none"):
    """The full QEMU argv for one boot."""
    if machine not in MACHINES:
        raise ValueError("unknown machine %r (q35, pc, microvm)" % machine)
    argv = ["qemu-system-x86_64", "-M", MACHINES[machine], "-m", str(mem),
            "-smp", str(smp), "-no-reboot", "-display", "none"]
    if monitor:
        argv += ["-monitor", monitor]
    if accel == "kvm":
        argv += ["-accel", "kvm", "-cpu", "host"]
    else:
        argv += ["-accel", "tcg", "-cpu", "max"]
    for s in serial:
        argv += ["-serial", s]
    if uefi:
        if machine == "microvm":
            raise ValueError("UEFI boot needs q35 or pc")
        argv += ["-drive", "if=pflash,format=raw,readonly=on,file=" + OVMF_CODE,
                 "-drive", "if=pflash,format=raw,file=" + vars_file]
    if iso:
        argv += ["-cdrom", iso]
    else:
        argv += ["-kernel", kernel, "-append", cmdline]
        if initrd:
            argv += ["-initrd", initrd]
    if debug_exit:
        argv += DEBUG_EXIT
    if gdb is True:
        argv += ["-s", "-S"]          # gdb stub on tcp::1234, CPUs stopped
    elif gdb:
        argv += ["-gdb", "tcp:127.0.0.1:%d" % gdb, "-S"]
    argv += list(extra)
    return argv


class VM:
    """A QEMU process whose serial console we read.

    output holds everything printed so far (decoded, \\r removed). expect()
    waits for a regex; wait() for the exit. Always use as a context manager
    or call close(): a VM never outlives its test.
    """

    def __init__(self, timeout=60, qmp=False, **kw):
        self.timeout = timeout
        self.tmpdir = tempfile.mkdtemp(prefix="vireo-vm-")
        if kw.get("uefi"):
            kw["vars_file"] = os.path.join(self.tmpdir, "OVMF_VARS.fd")
            shutil.copyfile(OVMF_VARS, kw["vars_file"])
        self.qmp_path = None
        if qmp:
            self.qmp_path = os.path.join(self.tmpdir, "qmp.sock")
            kw["extra"] = list(kw.get("extra", ())) + [
                "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path]
        self._qmp = None
        self.argv = qemu_argv(**kw)
        self.start = time.monotonic()
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, bufsize=0)
        self.output = ""
        self.returncode = None
        self._pos = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self._qmp is not None:
            try:
                self._qmp.close()
            except OSError:
                pass                # QEMU exited first (a guest power-off)
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        if self.returncode is None:
            self.returncode = self.proc.returncode
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    def _read(self, deadline):
        """Read what is available until deadline; False at EOF."""
        left = deadline - time.monotonic()
        if left <= 0:
            return True
        r, _, _ = select.select([self.proc.stdout], [], [], min(left, 0.5))
        if not r:
            return True
        data = os.read(self.proc.stdout.fileno(), 65536)
        if not data:
            return False
        self.output += data.decode("utf-8", "replace").replace("\r", "")
        return True

    def expect(self, pattern, timeout=None):
        """Wait for regex pattern after the last match; return the match.
        Raises AssertionError with the console tail on timeout or exit."""
        deadline = time.monotonic() + (timeout or self.timeout)
        rx = re.compile(pattern, re.M)
        while True:
            m = rx.search(self.output, self._pos)
            if m:
                self._pos = m.end()
                return m
            if time.monotonic() >= deadline:
                raise AssertionError("timed out waiting for /%s/\n%s" %
                                     (pattern, self.tail()))
            if not self._read(deadline):
                m = rx.search(self.output, self._pos)
                if m:
                    self._pos = m.end()
                    return m
                raise AssertionError("QEMU exited (%s) before /%s/\n%s" %
                                     (self.proc.wait(), pattern, self.tail()))

    def qmp(self, command, **arguments):
        """Run a QMP command (VM(qmp=True)) and return its "return" value."""
        if self._qmp is None:
            deadline = time.monotonic() + 10
            while not os.path.exists(self.qmp_path):
                if time.monotonic() > deadline:
                    raise AssertionError("no QMP socket")
                time.sleep(0.05)
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(self.qmp_path)
            self._qmp = sock.makefile("rw")
            json.loads(self._qmp.readline())          # greeting
            self._qmp_call("qmp_capabilities")
        return self._qmp_call(command, **arguments)

    def _qmp_call(self, command, **arguments):
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        self._qmp.write(json.dumps(msg) + "\n")
        self._qmp.flush()
        while True:
            reply = json.loads(self._qmp.readline())
            if "event" in reply:
                continue
            if "error" in reply:
                raise AssertionError("QMP %s: %s" % (command, reply["error"]))
            return reply["return"]

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def wait(self, timeout=None):
        """Wait for QEMU to exit, collecting output; return its status.
        Raises AssertionError on timeout."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while self._read(deadline):
            if time.monotonic() >= deadline:
                raise AssertionError("QEMU did not exit in time\n" + self.tail())
        self.returncode = self.proc.wait()
        return self.returncode

    def elapsed(self):
        return time.monotonic() - self.start

    def tail(self, n=40):
        return "\n".join(self.output.splitlines()[-n:])


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--machine", default="q35", choices=sorted(MACHINES))
    ap.add_argument("--accel", default="tcg", choices=["tcg", "kvm"])
    ap.add_argument("--smp", default="2")
    ap.add_argument("--mem", default="256M")
    ap.add_argument("--uefi", default="off", choices=["on", "off"])
    ap.add_argument("--boot", default="pvh", choices=["pvh", "iso"])
    ap.add_argument("--cmdline", default="console=ttyS0")
    ap.add_argument("--kernel", default="build/vireo.elf")
    ap.add_argument("--iso", default="build/vireo.iso")
    ap.add_argument("--initrd")
    ap.add_argument("--disk", help="raw disk image on virtio-blk (/dev/vda)")
    ap.add_argument("--interactive", action="store_true",
                    help="serial and QEMU monitor on this terminal (the default)")
    ap.add_argument("--gdb", action="store_true")
    a = ap.parse_args()

    uefi = a.uefi == "on"
    use_iso = uefi or a.boot == "iso"
    tmp = tempfile.mkdtemp(prefix="vireo-run-")
    vars_file = None
    if uefi:
        vars_file = os.path.join(tmp, "OVMF_VARS.fd")
        shutil.copyfile(OVMF_VARS, vars_file)
    argv = qemu_argv(machine=a.machine, accel=a.accel, smp=a.smp, mem=a.mem,
                     kernel=a.kernel, iso=a.iso if use_iso else None,
                     uefi=uefi, cmdline=a.cmdline, initrd=a.initrd,
                     debug_exit=False, serial=("mon:stdio",), gdb=a.gdb,
                     vars_file=vars_file, monitor=None,
                     extra=["-drive", "file=%s,if=none,id=vda,format=raw" % a.disk,
                            "-device", "virtio-blk-pci,drive=vda"] if a.disk else ())
    print(" ".join(argv), file=sys.stderr)
    if a.gdb:
        print("QEMU waits for gdb: run `make gdb` in another terminal.",
              file=sys.stderr)
    print("Ctrl-A X quits QEMU, Ctrl-A C toggles its monitor.", file=sys.stderr)
    try:
        return subprocess.call(argv)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
