"""[bench]: the side-by-side benchmark programs (bench/guest/) build, print
lines bench/compare.py parses, and boot Vireo as /init. Not a benchmark:
only that `make bench` still has working parts (it is not run here)."""

import os
import subprocess
import sys
import threading

from harness import case, vm, run, ROOT, BUILD

sys.path.insert(0, os.path.join(ROOT, "bench"))
import compare  # noqa: E402

GUEST = os.path.join(ROOT, BUILD, "bench", "guest")


_build_lock = threading.Lock()
_built = []


def build():
    # Once, and never in two cases at a time: cases run in parallel, and
    # two makes writing the same binaries let one case exec a half-linked
    # file (EACCES).
    with _build_lock:
        if not _built:
            run("make -s BUILD=%s bench-guest" % BUILD)
            _built.append(True)


@case("bench/guest-programs-on-host")
def _():
    build()
    progs = [["getppid", "1000"], ["forkexec", "5", os.path.join(GUEST, "nop")],
             ["forkexec", "exit", "5"], ["pipe", "100"], ["pipe", "ctxsw", "100"]]
    out = ""
    for p in progs:
        r = subprocess.run([os.path.join(GUEST, p[0])] + p[1:], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=30)
        assert r.returncode == 0, "%s: %d\n%s" % (p, r.returncode, r.stdout)
        out += r.stdout
    values, na, notes, ops = compare.parse(out)
    assert set(values) == {"getppid", "forkexec", "forkexit", "pipe", "ctxsw"}, out
    assert set(ops) == set(values) and all(n > 0 for n in ops.values()), ops
    assert all(v > 0 for v in values.values()), out
    assert not na, na
    assert any(n.startswith("ctxsw: pinned=") for n in notes), notes
    # No host sink listening on port 1: the failure is reported, not faked.
    r = subprocess.run([os.path.join(GUEST, "tcp"), "127.0.0.1", "1", "1"],
                       stdout=subprocess.PIPE, text=True, timeout=30)
    values, na, _, _ = compare.parse(r.stdout)
    assert r.returncode and not values and "tcp_tx_guest" in na, r.stdout


@case("bench/benchinit-boots-vireo")
def _():
    build()
    cpio = compare.initramfs(os.path.join(ROOT, BUILD, "bench", "test-vireo.cpio"), [])
    with vm(machine="q35", smp=2, initrd=cpio, debug_exit=False, extra=compare.devices(),
            cmdline="console=ttyS0 quiet %s -- boot" % compare.VIREO_IP) as v:
        v.expect(r"^BENCH-INIT start")
        v.expect(r"^BENCH-INIT ready")
        v.wait()
