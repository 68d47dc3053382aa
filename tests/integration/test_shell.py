"""[shell] An interactive session on the serial console, as `make run`
gives it: the default root image (images/mkroot.sh) on virtio-blk, the
project's init starting busybox sh with the console as its controlling
terminal. The test types as a person would (CR for Enter, DEL to erase,
^C, ^Z, ^D) and reads the screen: line editing, interrupting a job,
stopping and resuming one, pipelines and SIGPIPE, a background reader
stopped by SIGTTIN, the environment a shell expects."""

import os
import threading
import time

from harness import case, vm, run, ROOT, BUILD

PROMPT = r"/ # "
_build_lock = threading.Lock()


def root_image(name):
    """A private copy of build/rootfs.ext2 (the session writes to it)."""
    with _build_lock:
        run("make -s BUILD=%s userspace rootfs" % BUILD)
    img = os.path.join(ROOT, BUILD, "test", name)
    os.makedirs(os.path.dirname(img), exist_ok=True)
    run("cp %s/%s/rootfs.ext2 %s" % (ROOT, BUILD, img))
    return img


def settle():
    """Let the shell start the job it just echoed (a person is no faster):
    until it has, the terminal is in the line editor's raw mode, where ^C
    and ^Z are plain input."""
    time.sleep(1)


def type_line(v, text):
    """Type a command line and press Enter (a terminal sends CR)."""
    v.send(text + "\r")


@case("shell/interactive-session")
def _():
    img = root_image("shell-root.ext2")
    with vm(smp=2, timeout=120,
            extra=["-drive", "file=%s,if=none,id=d0,format=raw" % img,
                   "-device", "virtio-blk-pci,drive=d0"],
            cmdline="console=ttyS0 root=/dev/vda rootfstype=ext2") as v:
        v.expect(r"running /sbin/init as init \(pid 1\)")
        # init gave the shell a session and the terminal: job control on.
        v.expect(PROMPT)
        assert "job control turned off" not in v.output, v.tail()

        # Line editing: DEL erases what was typed before Enter.
        type_line(v, "echo hello wxx\x7f\x7forld")
        v.expect(r"\nhello world\n")
        v.expect(PROMPT)

        # The environment: PATH, users and groups, a writable /tmp.
        type_line(v, "echo $PATH; id; touch /tmp/f && ls -l /tmp/f | cut -c1-10")
        v.expect(r"\n/sbin:/usr/sbin:/bin:/usr/bin\n")
        v.expect(r"uid=0\(root\) gid=0\(root\)")
        v.expect(r"\n-rw-r--r--\n")
        v.expect(PROMPT)

        # ^C interrupts the foreground job; the shell lives on.
        type_line(v, "sleep 100")
        v.expect(r"sleep 100\n")
        settle()
        start = v.elapsed()
        v.send("\x03")
        v.expect(PROMPT, timeout=20)
        assert v.elapsed() - start < 20, "sleep was not interrupted"
        type_line(v, "echo status=$?")
        v.expect(r"\nstatus=130\n")            # 128 + SIGINT
        v.expect(PROMPT)

        # ^Z stops the job, jobs lists it, fg brings it back to read the
        # terminal again (tcsetpgrp), ^D ends it.
        type_line(v, "cat")
        v.expect(r"cat\n")
        settle()
        v.send("\x1a")
        v.expect(r"\[1\]\+\s+Stopped\s+cat")
        v.expect(PROMPT)
        type_line(v, "jobs")
        v.expect(r"\[1\]\+\s+Stopped\s+cat")
        v.expect(PROMPT)
        type_line(v, "fg")
        v.expect(r"fg\ncat\n")
        settle()
        v.send("resumed\r")
        v.expect(r"resumed\nresumed\n")      # the echo, then cat's copy
        v.send("\x04")
        v.expect(PROMPT)

        # Pipelines: head exits after five lines, yes dies of SIGPIPE.
        type_line(v, "yes | head -n 5")
        v.expect(r"head -n 5\ny\ny\ny\ny\ny\n")
        v.expect(PROMPT)
        type_line(v, "(yes; echo yes-status=$? >&2) | head -n 1")
        v.expect(r"\nyes-status=141\n")        # 128 + SIGPIPE
        v.expect(PROMPT)

        # A background job that reads the terminal stops (SIGTTIN).
        type_line(v, "cat &")
        v.expect(PROMPT)
        type_line(v, "sleep 1; jobs")
        v.expect(r"Stopped \(tty input\)\s+cat")
        v.expect(PROMPT)
        # Only SIGKILL ends a stopped process at once.
        type_line(v, "kill -9 %1; sleep 1; jobs; echo after-kill")
        v.expect(r"\[1\]\+\s+Killed\s+cat\nafter-kill\n")
        v.expect(PROMPT)

        # exit: init starts a new shell.
        type_line(v, "exit")
        v.expect(PROMPT)
