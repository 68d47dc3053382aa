/*
 * The console TTY: the serial line seen through a line discipline, with
 * the termios interface (Linux kernel ABI: struct termios from
 * <asm/termbits.h>, not glibc's), a foreground process group and job
 * control. /dev/console (5:1), /dev/tty (5:0) and /dev/ttyS0 (4:64) all
 * open this one terminal.
 *
 * Two layers:
 *  - the line discipline (tty_ldisc.c), pure code: input processing
 *    (ICRNL, ISIG, IXON...), canonical line editing, echo, output
 *    processing (OPOST, ONLCR...). It owns no lock and never sleeps; its
 *    owner serializes calls and is told about output and signal keys
 *    through callbacks. Host unit tests drive it byte by byte.
 *  - the terminal (tty.c): the lock, the serial receive hook, blocking
 *    reads with VMIN/VTIME, the ioctls, job control and the device files.
 */
#ifndef VIREO_PROC_TTY_H
#define VIREO_PROC_TTY_H

#include "kernel/lib/types.h"
#include <asm/termbits.h>

/* ---- the line discipline ------------------------------------------------- */

/* Input ring size (a power of two): a canonical line holds at most
 * LDISC_BUF_SIZE - 1 characters plus its end. */
#define LDISC_BUF_SIZE 4096
#define LDISC_OUT_SIZE 128

struct ldisc {
	struct termios termios;
	/*
	 * The input ring, indexes free-running (mod LDISC_BUF_SIZE when
	 * used): [tail, commit) may be read; [commit, head) is the line
	 * being edited (canonical mode; in non-canonical mode commit ==
	 * head). A set bit in delim marks a byte that ends a line; an end
	 * of file (VEOF) is stored as a NUL byte with its bit set, which a
	 * read consumes without returning it.
	 */
	char buf[LDISC_BUF_SIZE];
	u8 delim[LDISC_BUF_SIZE / 8];
	u32 tail, commit, head;
	u32 column;             /* output column, for tabs and erasing */
	u32 line_column;        /* column where the edited line's echo began */
	bool lnext;             /* VLNEXT seen: the next byte is literal */
	bool stopped;           /* IXON: output stopped by VSTOP (or TCOOFF) */
	u64 dropped;            /* input thrown away: the ring was full */
	/* Output gathered for one emit call. */
	char out[LDISC_OUT_SIZE];
	u32 out_len;
	/* The owner's callbacks: processed output bytes for the device, and
	 * a signal key (VINTR, VQUIT or VSUSP) typed with ISIG on. */
	void (*emit)(void *ctx, const char *s, size_t n);
	void (*isig)(void *ctx, int key);
	void *ctx;
};

/* Linux's defaults for a terminal (ICANON, ECHO, ISIG, ICRNL, ONLCR...,
 * ^C ^\ DEL ^U ^D ^Z ^W ^R ^V, VMIN 1) at 115200 baud. */
void ldisc_default_termios(struct termios *t);
void ldisc_init(struct ldisc *ld, void (*emit)(void *, const char *, size_t),
		void (*isig)(void *, int), void *ctx);
/* New termios (the caller handles TCSAFLUSH's flush). Switching ICANON
 * turns what is pending into one readable line, or into raw input. */
void ldisc_set_termios(struct ldisc *ld, const struct termios *t);

/* Received bytes; all are taken (what does not fit is dropped, counted).
 * ldisc_room() says how many fit without dropping. */
void ldisc_receive(struct ldisc *ld, const char *s, size_t n);
size_t ldisc_room(const struct ldisc *ld);

/* Take what one read may take now into dst: bytes (canonical: up to one
 * line; 0 means end of file) or -EAGAIN if nothing is there. */
ssize_t ldisc_read(struct ldisc *ld, char *dst, size_t len);
/* Bytes readable now, end-of-file marks not counted (FIONREAD). */
size_t ldisc_readable(const struct ldisc *ld);
/* Would ldisc_read return something (including an end of file)? */
bool ldisc_read_ready(const struct ldisc *ld);
/* Canonical mode, and the last read stopped inside a line that goes on. */
bool ldisc_mid_line(const struct ldisc *ld);
/* Discard received input (TCIFLUSH, ISIG without NOFLSH). */
void ldisc_flush_input(struct ldisc *ld);

/* Output through OPOST processing, emitted before it returns. */
void ldisc_write(struct ldisc *ld, const char *s, size_t n);

/* ---- the terminal -------------------------------------------------------- */

/*
 * What the terminal needs from the process layer, registered once it
 * exists. Until then signals from the keyboard are dropped (logged at
 * debug level), reads are never job-control checked and sleeps are not
 * interruptible.
 */
struct tty_signal_ops {
	/* Send sig to every process of group pgid. Called with no tty lock
	 * held, from the receive interrupt (^C) or a system call. */
	void (*send_to_pgrp)(u32 pgid, int sig);
	/* The calling process's ids; false in a kernel thread. */
	bool (*current_ids)(u32 *pid, u32 *pgid, u32 *sid);
	/* 0 if no signal is pending for the caller, else what an interrupted
	 * blocking call returns (-EINTR, or the process layer's restart
	 * code when the handler has SA_RESTART). */
	int (*signal_pending)(void);
	/* The caller ignores or blocks sig (SIGTTIN/SIGTTOU rules). */
	bool (*sig_ignored)(int sig);
	/* pgid has no member whose parent is in another group of the same
	 * session (POSIX orphaned process group): -EIO, no SIGTTIN. */
	bool (*pgrp_orphaned)(u32 pgid);
	/* Some process of session sid has process group pgid (TIOCSPGRP). */
	bool (*pgrp_in_session)(u32 pgid, u32 sid);
	/* CAP_SYS_ADMIN: TIOCSCTTY may steal a terminal from a session. */
	bool (*capable_admin)(void);
};

/* Returns the ops registered before (tests put them back). */
const struct tty_signal_ops *tty_set_signal_ops(const struct tty_signal_ops *ops);

/* After serial_rx_init: the console terminal takes the receive side.
 * Window size from `tty.winsize=COLSxROWS` (default 80x24). */
int tty_init(const char *cmdline);
/* Register the character devices (5:0 tty, 5:1 console, 4:64 ttyS0);
 * for devfs. */
int tty_register_devices(void);

/* Bytes as if received on the serial line (the receive interrupt's path:
 * editing, echo, keyboard signals). */
void tty_receive(const char *s, size_t n);

/* A session leader exited (from the process layer): if it had the
 * terminal, its foreground group gets SIGHUP and SIGCONT and the terminal
 * has no session any more. */
void tty_session_exit(u32 sid);

/* Kernel-side use (the monitor): read a line or bytes as a process would
 * (canonical mode: one line), and write through output processing. */
ssize_t tty_kernel_read(char *buf, size_t len);
void tty_kernel_write(const char *s, size_t n);
/* Default settings (canonical, echo), input flushed, output running:
 * for the monitor, after whatever a dead program left. */
void tty_reset_termios(void);

#endif
