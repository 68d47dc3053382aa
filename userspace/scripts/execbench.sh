#!/bin/sh
# bench/exec.py: exec costs with QEMU's translation counts read by the host
# between steps (each "MARK" waits for a line on the console).
echo MARK start; read x
/bench/forkexec 200 /bench/nop
echo MARK forkexec; read x
/bench/execself 500
echo MARK execself; read x
