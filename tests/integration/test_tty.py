"""[shell] The console terminal under busybox: `sh` as PID 1 on
/dev/console, driven over the serial line. Busybox's line editing puts the
terminal in raw mode and echoes itself; `cat` reads in canonical mode, so
the kernel's line discipline edits; stty reads and sets termios and the
window size; dd reads with the VMIN/VTIME timers set by stty."""

import os
import threading

from harness import case, vm, run, ROOT, BUILD

_build_lock = threading.Lock()
_built = []


def initramfs():
    """build/initramfs.cpio (busybox and the test programs), made once."""
    with _build_lock:
        if not _built:
            run("make -s BUILD=%s userspace initramfs" % BUILD)
            _built.append(True)
    return os.path.join(ROOT, BUILD, "initramfs.cpio")


PROMPT = r"/ # "


def command(v, line):
    """Type a command line at the shell prompt (CR, as a terminal sends)."""
    v.send(line + "\r")


@case("tty/busybox-sh-line-discipline")
def _():
    with vm(initrd=initramfs(), timeout=60,
            cmdline="console=ttyS0 tty.winsize=132x43 rdinit=/bin/sh") as v:
        v.expect(PROMPT)
        # Typed at once, racing the line editor's poll() on the terminal:
        # tty_poll used to look before it registered, so a line arriving
        # in between was never read (1 boot in 15 under load).
        # Busybox edits in raw mode: DEL is its own erase.
        command(v, "echo abcx\x7fd")
        v.expect(r"\nabcd\n")
        v.expect(PROMPT)
        # termios through TCGETS, the window size from tty.winsize=.
        command(v, "stty size; stty -a")
        v.expect(r"\n43 132\n")
        v.expect(r"rows 43; columns 132;")
        v.expect(r"intr = \^C; quit = \^\\; erase = \^\?; kill = \^U; eof = \^D;")
        v.expect(r"\nisig icanon iexten echo echoe echok -echonl")
        v.expect(PROMPT)
        # cat reads in canonical mode: the line discipline erases (DEL,
        # ^H), kills (^U), word-erases (^W), maps CR to NL; ^D ends it.
        # Type only once the shell has left raw mode (GO): typeahead in
        # raw mode is not edited, as on Linux.
        command(v, "echo GO; cat")
        v.expect(r"\nGO\n")
        v.send("one twx\x7fo\r")
        v.expect(r"\none two\n")          # cat's copy after the echo
        v.send("junk\x15thr\x08ree xx yy\x17\x17\r")
        v.expect(r"\nthree \n")
        v.send("partial\x04")
        v.expect(r"partial")
        v.send("\x04")
        v.expect(PROMPT)
        # Non-canonical: MIN 3 satisfies an 8-byte read with 3 bytes.
        command(v, "stty -icanon -echo min 3 time 0; echo READY; "
                   "dd bs=8 count=1 2>/dev/null | od -An -c; stty sane")
        v.expect(r"\nREADY\n")
        v.send("xyz")
        v.expect(r"x\s+y\s+z\s*\n")
        v.expect(PROMPT)
        # MIN 0, TIME 5: a read with nothing typed returns 0 after 0.5 s.
        command(v, "stty -icanon min 0 time 5; dd bs=8 count=1 2>/dev/null | wc -c;"
                   " stty sane")
        v.expect(r"\n0\n")
        v.expect(PROMPT)
        command(v, "exit")
        assert v.wait() == 1, v.returncode
