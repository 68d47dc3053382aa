#!/usr/bin/env python3
"""Vireo's test runner: every tier, one summary line.

  1. host unit tests (tests/unit/test_*.c, ASan + UBSan), one case per
     UNIT_TEST;
  2. in-kernel tests: boot each machine with `test`, one case per KTEST;
  3. integration tests: tests/integration/test_*.py, functions decorated
     with @case, each booting QEMU with real devices and images.

Prints PASS/FAIL per case and ends with exactly one line
"N passed, N failed" (", N skipped" when some were skipped); exits 1 on any
failure. --filter GLOB selects cases by name.
"""

import argparse
import concurrent.futures
import fnmatch
import importlib.util
import os
import re
import subprocess
import sys
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

import harness  # noqa: E402  (tests/harness.py)


class Result:
    def __init__(self, name, ok, detail="", seconds=0.0, skipped=False):
        self.name, self.ok, self.detail = name, ok, detail
        self.seconds, self.skipped = seconds, skipped


def report(r):
    if r.skipped:
        print("SKIP %s: %s" % (r.name, r.detail), flush=True)
    elif r.ok:
        print("PASS %s (%.1fs)" % (r.name, r.seconds), flush=True)
    else:
        print("FAIL %s (%.1fs)" % (r.name, r.seconds), flush=True)
        for line in r.detail.rstrip().splitlines()[-60:]:
            print("    " + line, flush=True)


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=True, cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, **kw)


# ---- tier 1: host unit tests --------------------------------------------------

def unit_tier(selected):
    results = []
    t0 = time.monotonic()
    p = sh("make -s unit")
    if p.returncode:
        return [Result("unit/build", False, p.stdout, time.monotonic() - t0)]
    udir = os.path.join(ROOT, harness.BUILD, "unit")
    for exe in sorted(os.listdir(udir)):
        path = os.path.join(udir, exe)
        if not exe.startswith("test_") or not os.access(path, os.X_OK) \
                or exe.endswith(".d"):
            continue
        t0 = time.monotonic()
        p = subprocess.run([path], cwd=ROOT, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=600)
        secs = time.monotonic() - t0
        seen = 0
        notes = []
        for line in p.stdout.splitlines():
            m = re.match(r"^(ok|not ok) (\S+)$", line)
            if not m:
                notes.append(line)
                continue
            seen += 1
            name = "unit/%s/%s" % (exe[5:], m.group(2))
            if not selected(name):
                continue
            ok = m.group(1) == "ok"
            results.append(Result(name, ok, "\n".join(notes), secs))
            notes = []
        # A crash (sanitizer abort) after the last case, or no cases at all.
        if (p.returncode and all(r.ok for r in results
                                 if r.name.startswith("unit/%s/" % exe[5:]))) \
                or seen == 0:
            name = "unit/%s/exit" % exe[5:]
            if selected(name):
                results.append(Result(name, False, "exit status %d\n%s" %
                                      (p.returncode, p.stdout[-4000:]), secs))
    return results


# ---- tier 2: in-kernel tests ----------------------------------------------------

KTEST_BOOTS = [
    # (label, qemu kwargs)
    ("q35", dict(machine="q35", smp=2)),
    ("q35-smp1", dict(machine="q35", smp=1)),
    ("q35-smp4", dict(machine="q35", smp=4)),
    ("pc", dict(machine="pc", smp=1)),
    ("microvm", dict(machine="microvm", smp=2)),
]


def ktest_boot(label, kw, selected):
    t0 = time.monotonic()
    cmdline = "console=ttyS0 test panic=-1"
    results = []
    with harness.vm(cmdline=cmdline, timeout=300, **kw) as vm:
        try:
            status = vm.wait()
        except AssertionError as e:
            status = None
            err = str(e)
        secs = time.monotonic() - t0
        out = vm.output
    started = None
    for line in out.splitlines():
        m = re.search(r"KTEST (START|PASS|FAIL) (\S+?):?(?: |$)(.*)", line)
        if not m:
            continue
        kind, name = m.group(1), m.group(2)
        cname = "ktest/%s/%s" % (label, name)
        if kind == "START":
            started = cname
        elif kind == "PASS" and selected(cname):
            results.append(Result(cname, True, "", secs))
            started = None
        elif kind == "FAIL" and selected(cname):
            # Keep the report lines that follow a FAIL (trap reports).
            idx = out.find(line)
            results.append(Result(cname, False, out[idx:idx + 3000], secs))
            started = None
    summary = re.search(r"KTEST SUMMARY passed=(\d+) failed=(\d+)", out)
    cname = "ktest/%s/completed" % label
    if selected(cname):
        if not summary:
            why = "no KTEST SUMMARY (crash or hang%s)\n" % (
                " in " + started if started else "")
            results.append(Result(cname, False, why + "\n".join(
                out.splitlines()[-60:]), secs))
        else:
            want = 3 if int(summary.group(2)) else 1
            ok = status == want
            results.append(Result(cname, ok, "" if ok else
                                  "QEMU exit status %s, expected %d" %
                                  (status, want), secs))
    return results


# ---- tier 3: integration tests -------------------------------------------------

def load_integration():
    cases = []
    idir = os.path.join(ROOT, "tests", "integration")
    for fn in sorted(os.listdir(idir)):
        if not (fn.startswith("test_") and fn.endswith(".py")):
            continue
        spec = importlib.util.spec_from_file_location(fn[:-3],
                                                      os.path.join(idir, fn))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
    cases.extend(harness.CASES)
    return cases


def run_case(case):
    t0 = time.monotonic()
    try:
        case.fn()
        return Result(case.name, True, "", time.monotonic() - t0)
    except harness.Skip as e:
        return Result(case.name, True, str(e), time.monotonic() - t0, True)
    except AssertionError as e:
        return Result(case.name, False, str(e) or traceback.format_exc(),
                      time.monotonic() - t0)
    except Exception:
        return Result(case.name, False, traceback.format_exc(),
                      time.monotonic() - t0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--filter", default="*",
                    help="glob(s), comma-separated, on case names")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
    a = ap.parse_args()
    globs = [g.strip() for g in a.filter.split(",") if g.strip()]

    def selected(name):
        return any(fnmatch.fnmatchcase(name, g) for g in globs)

    t_start = time.monotonic()
    results = []

    def add(rs):
        for r in rs:
            report(r)
            results.append(r)

    # The kernel must build before anything boots.
    t0 = time.monotonic()
    p = sh("make -s kernel")
    add([Result("build/kernel-gcc", p.returncode == 0, p.stdout,
                time.monotonic() - t0)])
    if p.returncode:
        return finish(results, t_start)

    add(unit_tier(selected))

    cases = [c for c in load_integration() if selected(c.name)]
    boots = [(l, kw) for l, kw in KTEST_BOOTS
             if any(selected("ktest/%s/%s" % (l, x)) for x in ("*", "completed"))
             or selected("ktest/%s/completed" % l)]
    # QEMU runs in parallel, one per core: TCG is CPU-bound.
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        futs = [ex.submit(ktest_boot, l, kw, selected) for l, kw in boots]
        futs += [ex.submit(lambda c=c: [run_case(c)]) for c in cases]
        for f in concurrent.futures.as_completed(futs):
            add(f.result())
    return finish(results, t_start)


def finish(results, t_start):
    passed = sum(1 for r in results if r.ok and not r.skipped)
    failed = sum(1 for r in results if not r.ok)
    skipped = sum(1 for r in results if r.skipped)
    if failed:
        print("\nFailed:")
        for r in results:
            if not r.ok:
                print("  " + r.name)
    print("\n(%.0f s)" % (time.monotonic() - t_start))
    line = "%d passed, %d failed" % (passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    print(line, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
