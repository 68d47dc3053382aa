# gdb script for `make gdb`: attach to `make run-debug` (QEMU -s -S).
# The ELF already carries full symbols (-g); the kernel runs in long mode.
set pagination off
set confirm off
set architecture i386:x86-64
target remote localhost:1234
# Stop before anything interesting; continue with `c`.
hbreak kmain
echo \nAttached. `c` runs to kmain; `bt`, `info registers`, `x/8i $pc` as usual.\n
