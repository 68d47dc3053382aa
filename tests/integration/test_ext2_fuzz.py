"""[ext2] The ext2 libFuzzer target (tests/fuzz/fuzz_ext2.c), briefly: it
must build with clang and survive a few seconds of mutated images.
`make fuzz` (FUZZ_SECONDS=60) runs it longer; crashes are saved as
build/fuzz/crash-*."""

import subprocess

from harness import case, run, ROOT, BUILD


@case("ext2/fuzz/brief")
def _():
    run("make -s %s/fuzz/fuzz_ext2" % BUILD)
    p = subprocess.run(["sh", "tests/fuzz/run.sh", "fuzz_ext2", "5"], cwd=ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=120)
    assert p.returncode == 0 and "Done " in p.stdout, p.stdout[-4000:]
