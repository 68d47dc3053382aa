"""Helpers for integration tests (tests/integration/test_*.py).

    from harness import case, vm

    @case("boot/pvh/q35")
    def _():
        with vm(machine="q35", cmdline="console=ttyS0 test=ksyms_*") as v:
            v.expect(r"Vireo \\d+\\.\\d+")
            assert v.wait() == 1

A case passes if its function returns, fails on AssertionError (or any
other exception) and is skipped on Skip.
"""

import hashlib
import os
import subprocess
import threading

from qemu import VM

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", "build")
KERNEL = os.path.join(ROOT, BUILD, "vireo.elf")
ACCEL = os.environ.get("ACCEL", "tcg")

CASES = []


class Case:
    def __init__(self, name, fn):
        self.name, self.fn = name, fn


class Skip(Exception):
    """Raise to skip a case (say why)."""


def case(name):
    def deco(fn):
        CASES.append(Case(name, fn))
        return fn
    return deco


def vm(kernel=None, **kw):
    """A VM with the test defaults: TCG (or $ACCEL), isa-debug-exit."""
    kw.setdefault("accel", ACCEL)
    kw.setdefault("timeout", 120)
    if "iso" not in kw:
        kw["kernel"] = kernel or KERNEL
    return VM(**kw)


def run(cmd, check=True):
    """Run a shell command in the repository; return its output."""
    p = subprocess.run(cmd, shell=True, cwd=ROOT, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if check and p.returncode:
        raise AssertionError("`%s` failed (%d):\n%s" % (cmd, p.returncode,
                                                        p.stdout[-4000:]))
    return p.stdout


_iso_lock = threading.Lock()


def iso(cmdline, kernel=None):
    """A GRUB ISO of the kernel with this command line, built once."""
    kernel = kernel or KERNEL
    key = hashlib.sha1((cmdline + kernel).encode()).hexdigest()[:12]
    out = os.path.join(ROOT, BUILD, "test", "iso-%s.iso" % key)
    with _iso_lock:
        if not os.path.exists(out) or \
                os.path.getmtime(out) < os.path.getmtime(kernel):
            run("sh images/mkiso.sh '%s' '%s' '%s'" % (out, kernel, cmdline))
    return out


def lines_in_order(text, patterns):
    """Assert that each substring appears on a later line than the last."""
    lines = text.splitlines()
    i = 0
    for p in patterns:
        while i < len(lines) and p not in lines[i]:
            i += 1
        if i == len(lines):
            raise AssertionError("missing (in order): %r\n%s" %
                                 (p, "\n".join(lines[-40:])))
        i += 1
