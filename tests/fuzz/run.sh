#!/bin/sh
# Run a libFuzzer target (built by `make fuzz-build`) for SECONDS on its
# corpus, build/fuzz/NAME-corpus, plus its seeds:
#   sh tests/fuzz/run.sh NAME SECONDS
# Exits non-zero if the fuzzer found a crash (the input is saved as
# build/fuzz/crash-*).
set -e
name=$1
secs=$2
B=${BUILD:-build}
corpus=$B/fuzz/$name-corpus
seeds=$B/fuzz/$name-seeds
mkdir -p "$corpus" "$seeds"
case $name in
fuzz_ext2)
	python3 images/mkext2.py "$B/images/ext2" fuzz-1k fuzz-4k
	cp "$B"/images/ext2/fuzz-*.img "$seeds/"
	;;
fuzz_elf)
	cp "$B"/userspace/tests/hello "$B"/userspace/tests/hello-pie "$seeds/" 2>/dev/null || true
	;;
esac
exec "$B/fuzz/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-max_len=1048576 -artifact_prefix="$B/fuzz/" -print_final_stats=1 \
	"$corpus" "$seeds"
