#!/bin/sh
# The process benchmarks in one boot (bench/proc.py): the same static
# binaries run unchanged on a Linux guest.
/bench/getppid 200000
/bench/forkexec 200 /bench/nop
/bench/pipe 20000
