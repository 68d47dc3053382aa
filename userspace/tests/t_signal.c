/*
 * Signal delivery: handlers see the siginfo Linux gives, masks hold
 * signals back, SA_RESTART restarts a blocked read (and its absence gives
 * EINTR), sigreturn puts back every register (general, flags, x87, SSE,
 * MXCSR) of code interrupted anywhere, SA_NODEFER/SA_RESETHAND/SA_ONSTACK,
 * sigsuspend, timers, interrupted sleeps, and a bad frame is SIGSEGV.
 * Plain libc, so it runs unchanged on Linux.
 */
#include "check.h"
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static volatile sig_atomic_t hits;
static volatile sig_atomic_t last_sig;
static siginfo_t last_info;
static ucontext_t *last_uc;

static void on_info(int sig, siginfo_t *si, void *uc)
{
	hits++;
	last_sig = sig;
	last_info = *si;
	last_uc = uc;
}

static void on_count(int sig)
{
	hits++;
	last_sig = sig;
}

static void handle(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa = { .sa_handler = fn, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(sig, &sa, NULL) == 0);
}

static void handle_info(int sig, int flags)
{
	struct sigaction sa = { .sa_sigaction = on_info, .sa_flags = SA_SIGINFO | flags };

	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(sig, &sa, NULL) == 0);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A child that sends sig to the parent after ms milliseconds, then
 * (if byte) writes it to fd. */
static pid_t send_later(int sig, int ms, int fd, char byte)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0) {
		usleep(ms * 1000);
		kill(parent, sig);
		if (byte) {
			usleep(ms * 1000);
			if (write(fd, &byte, 1) != 1)
				_exit(2);
		}
		_exit(0);
	}
	CHECK(pid > 0);
	return pid;
}

static int reap(pid_t pid)
{
	int status = -1;

	CHECK(waitpid(pid, &status, 0) == pid);
	return status;
}

/* ---- siginfo ----------------------------------------------------------- */

static void test_siginfo(void)
{
	handle_info(SIGUSR1, 0);
	hits = 0;
	CHECK(kill(getpid(), SIGUSR1) == 0);
	CHECK(hits == 1);
	CHECK(last_info.si_signo == SIGUSR1);
	CHECK(last_info.si_code == SI_USER);
	CHECK(last_info.si_pid == getpid());
	CHECK(last_info.si_uid == getuid());
	CHECK(last_uc != NULL);

	CHECK(syscall(SYS_tgkill, getpid(), getpid(), SIGUSR1) == 0);
	CHECK(hits == 2);
	CHECK(last_info.si_code == SI_TKILL);
	CHECK(last_info.si_pid == getpid());
	CHECK_ERR(syscall(SYS_tgkill, getpid(), getpid() + 100000, SIGUSR1), ESRCH);
	CHECK_ERR(kill(getpid(), 65), EINVAL);
	CHECK_ERR(kill(999999, 0), ESRCH);
	CHECK(kill(getpid(), 0) == 0);
}

/* A fault: si_addr and the exception in the sigcontext; the handler
 * jumps out (returning would fault again). */
static sigjmp_buf fault_jb;
static volatile uintptr_t bad_addr = 24;
static void on_segv_jump(int sig, siginfo_t *si, void *uc)
{
	on_info(sig, si, uc);
	siglongjmp(fault_jb, 1);
}

static void test_fault_handler(void)
{
	struct sigaction sa = { .sa_sigaction = on_segv_jump, .sa_flags = SA_SIGINFO };
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGSEGV, &sa, NULL) == 0);
	if (!sigsetjmp(fault_jb, 1)) {
		*(volatile int *)bad_addr = 1;
		CHECK(!"no SIGSEGV");
	}
	CHECK(last_sig == SIGSEGV);
	CHECK(last_info.si_code == SEGV_MAPERR);
	CHECK(last_info.si_addr == (void *)24);
	CHECK(last_uc->uc_mcontext.gregs[REG_TRAPNO] == 14);
	CHECK(last_uc->uc_mcontext.gregs[REG_CR2] == 24);
	CHECK(last_uc->uc_mcontext.gregs[REG_ERR] & 2);         /* a write */
	signal(SIGSEGV, SIG_DFL);
}

/* ---- masks ------------------------------------------------------------- */

static volatile sig_atomic_t inner_seen_during;

static void on_outer(int sig)
{
	hits++;
	/* SIGUSR2 is in sa_mask: held until this handler returns. */
	kill(getpid(), SIGUSR2);
	inner_seen_during = last_sig == SIGUSR2;
}

static volatile sig_atomic_t depth, max_depth, calls;

static void on_nested(int sig)
{
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (++calls < 3)
		kill(getpid(), sig);
	depth--;
}

static void test_masks(void)
{
	sigset_t set, old, pend;
	struct sigaction sa = { .sa_handler = on_outer };

	handle(SIGUSR1, on_count, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &set, &old) == 0);
	hits = 0;
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR1);       /* merges with the pending one */
	CHECK(hits == 0);
	CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGUSR1));
	/* Unblocking delivers before sigprocmask returns. */
	CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0);
	CHECK(hits == 1);
	CHECK(sigpending(&pend) == 0 && !sigismember(&pend, SIGUSR1));

	/* SIGKILL and SIGSTOP cannot be blocked or caught. */
	sigfillset(&set);
	CHECK(sigprocmask(SIG_SETMASK, &set, &old) == 0);
	CHECK(sigprocmask(SIG_SETMASK, NULL, &set) == 0);
	CHECK(!sigismember(&set, SIGKILL) && !sigismember(&set, SIGSTOP));
	CHECK(sigismember(&set, SIGUSR1));
	CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0);
	CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);

	/* sa_mask holds SIGUSR2 back while the SIGUSR1 handler runs. */
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	handle(SIGUSR2, on_count, 0);
	hits = 0;
	last_sig = 0;
	kill(getpid(), SIGUSR1);
	CHECK(hits == 2);
	CHECK(!inner_seen_during);
	CHECK(last_sig == SIGUSR2);

	/* Without SA_NODEFER the signal waits for its own handler; with it,
	 * handlers nest. */
	handle(SIGUSR1, on_nested, 0);
	max_depth = calls = 0;
	kill(getpid(), SIGUSR1);
	CHECK(max_depth == 1 && calls == 3);
	handle(SIGUSR1, on_nested, SA_NODEFER);
	max_depth = calls = 0;
	kill(getpid(), SIGUSR1);
	CHECK(max_depth == 3 && calls == 3);

	/* SA_RESETHAND: the second one has the default action (death). */
	pid_t pid = fork();
	if (pid == 0) {
		hits = 0;
		handle(SIGUSR1, on_count, SA_RESETHAND);
		kill(getpid(), SIGUSR1);
		if (hits != 1)
			_exit(3);
		kill(getpid(), SIGUSR1);
		_exit(4);
	}
	int status = reap(pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGUSR1);

	/* Ignored: nothing happens; a pending one goes when set to SIG_IGN. */
	signal(SIGUSR1, SIG_IGN);
	CHECK(kill(getpid(), SIGUSR1) == 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	handle(SIGUSR2, on_count, 0);
	sigprocmask(SIG_BLOCK, &set, &old);
	kill(getpid(), SIGUSR2);
	signal(SIGUSR2, SIG_IGN);
	CHECK(sigpending(&pend) == 0 && !sigismember(&pend, SIGUSR2));
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

static void test_sigsuspend(void)
{
	sigset_t block, old, none, now;

	handle(SIGUSR1, on_count, 0);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	hits = 0;
	pid_t pid = send_later(SIGUSR1, 30, -1, 0);
	sigemptyset(&none);
	CHECK_ERR(sigsuspend(&none), EINTR);
	CHECK(hits == 1);
	/* The old mask is back: SIGUSR1 blocked again. */
	sigprocmask(SIG_SETMASK, NULL, &now);
	CHECK(sigismember(&now, SIGUSR1));
	sigprocmask(SIG_SETMASK, &old, NULL);
	reap(pid);
	signal(SIGUSR1, SIG_DFL);
}

/* ---- interrupted system calls ------------------------------------------------ */

static void test_restart(void)
{
	int fds[2];
	char c = 0;
	pid_t pid;

	CHECK(pipe(fds) == 0);
	/* SA_RESTART: the read goes on and gets the byte sent later. */
	handle(SIGUSR1, on_count, SA_RESTART);
	hits = 0;
	pid = send_later(SIGUSR1, 50, fds[1], 'r');
	CHECK(read(fds[0], &c, 1) == 1);
	CHECK(c == 'r');
	CHECK(hits == 1);
	reap(pid);

	/* Without it: EINTR, and the byte is still there afterwards. */
	handle(SIGUSR1, on_count, 0);
	hits = 0;
	pid = send_later(SIGUSR1, 50, fds[1], 'e');
	CHECK_ERR(read(fds[0], &c, 1), EINTR);
	CHECK(hits == 1);
	CHECK(read(fds[0], &c, 1) == 1 && c == 'e');
	reap(pid);

	/* wait4 restarts too. */
	handle(SIGUSR1, on_count, SA_RESTART);
	hits = 0;
	pid = send_later(SIGUSR1, 30, fds[1], 'w');
	int status;
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
	CHECK(hits == 1);
	CHECK(read(fds[0], &c, 1) == 1 && c == 'w');
	close(fds[0]);
	close(fds[1]);
	signal(SIGUSR1, SIG_DFL);
}

static void test_sleep(void)
{
	struct timespec req = { 1, 0 }, rem = { 0, 0 };
	struct itimerval it = { { 0, 0 }, { 0, 60000 } }, got;
	long t0;

	handle(SIGALRM, on_count, SA_RESTART);
	hits = 0;
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	CHECK(getitimer(ITIMER_REAL, &got) == 0);
	CHECK(got.it_value.tv_sec == 0 && got.it_value.tv_usec > 0 &&
	      got.it_value.tv_usec <= 60000);
	t0 = now_ms();
	/* nanosleep never restarts after a handler: EINTR and what is left. */
	CHECK_ERR(nanosleep(&req, &rem), EINTR);
	CHECK(hits == 1);
	CHECK(now_ms() - t0 >= 50 && now_ms() - t0 < 900);
	CHECK(rem.tv_sec == 0 && rem.tv_nsec > 500000000);

	/* An interval timer fires again and again. */
	it.it_interval.tv_usec = 20000;
	it.it_value.tv_usec = 20000;
	hits = 0;
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	while (hits < 3)
		pause();
	it.it_interval.tv_usec = 0;
	it.it_value.tv_usec = 0;
	CHECK(setitimer(ITIMER_REAL, &it, &got) == 0);
	CHECK(got.it_interval.tv_usec == 20000);

	/* alarm: what was left, rounded. */
	CHECK(alarm(5) == 0);
	CHECK(alarm(0) == 5);
	signal(SIGALRM, SIG_DFL);
}

/* ---- every register back after sigreturn -------------------------------------- */

struct regs {
	uint64_t gpr[15];       /* rax rbx rcx rdx rsi rdi rbp r8..r15 */
	uint64_t rsp, rflags;
	uint8_t xmm[16][16];
	uint32_t mxcsr;
	uint16_t fcw;
	double st0;
};
_Static_assert(__builtin_offsetof(struct regs, rsp) == 120, "rsp");
_Static_assert(__builtin_offsetof(struct regs, xmm) == 136, "xmm");
_Static_assert(__builtin_offsetof(struct regs, mxcsr) == 392, "mxcsr");
_Static_assert(__builtin_offsetof(struct regs, fcw) == 396, "fcw");
_Static_assert(__builtin_offsetof(struct regs, st0) == 400, "st0");

struct regs regs_in, regs_out;
uint64_t regs_saved_rsp;
volatile int regs_flag;

/* regs_test(): load regs_in into every register, spin (no system call,
 * no stack use) until a handler sets regs_flag, then store them all in
 * regs_out. DF is set during the spin: handlers run with it clear and
 * sigreturn must give it back. */
__asm__(
	".text\n"
	".globl regs_test\n"
	"regs_test:\n"
	"	push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n"
	"	mov %rsp, regs_saved_rsp(%rip)\n"
	"	fldcw regs_in+396(%rip)\n"
	"	fldl regs_in+400(%rip)\n"
	"	ldmxcsr regs_in+392(%rip)\n"
	"	movdqu regs_in+136(%rip), %xmm0\n"
	"	movdqu regs_in+152(%rip), %xmm1\n"
	"	movdqu regs_in+168(%rip), %xmm2\n"
	"	movdqu regs_in+184(%rip), %xmm3\n"
	"	movdqu regs_in+200(%rip), %xmm4\n"
	"	movdqu regs_in+216(%rip), %xmm5\n"
	"	movdqu regs_in+232(%rip), %xmm6\n"
	"	movdqu regs_in+248(%rip), %xmm7\n"
	"	movdqu regs_in+264(%rip), %xmm8\n"
	"	movdqu regs_in+280(%rip), %xmm9\n"
	"	movdqu regs_in+296(%rip), %xmm10\n"
	"	movdqu regs_in+312(%rip), %xmm11\n"
	"	movdqu regs_in+328(%rip), %xmm12\n"
	"	movdqu regs_in+344(%rip), %xmm13\n"
	"	movdqu regs_in+360(%rip), %xmm14\n"
	"	movdqu regs_in+376(%rip), %xmm15\n"
	"	mov regs_in+0(%rip), %rax\n"
	"	mov regs_in+8(%rip), %rbx\n"
	"	mov regs_in+16(%rip), %rcx\n"
	"	mov regs_in+24(%rip), %rdx\n"
	"	mov regs_in+32(%rip), %rsi\n"
	"	mov regs_in+40(%rip), %rdi\n"
	"	mov regs_in+48(%rip), %rbp\n"
	"	mov regs_in+56(%rip), %r8\n"
	"	mov regs_in+64(%rip), %r9\n"
	"	mov regs_in+72(%rip), %r10\n"
	"	mov regs_in+80(%rip), %r11\n"
	"	mov regs_in+88(%rip), %r12\n"
	"	mov regs_in+96(%rip), %r13\n"
	"	mov regs_in+104(%rip), %r14\n"
	"	mov regs_in+112(%rip), %r15\n"
	"	std\n"
	"1:	cmpl $0, regs_flag(%rip)\n"
	"	je 1b\n"
	"	pushfq\n"
	"	popq regs_out+128(%rip)\n"
	"	cld\n"
	"	mov %rsp, regs_out+120(%rip)\n"
	"	mov %rax, regs_out+0(%rip)\n"
	"	mov %rbx, regs_out+8(%rip)\n"
	"	mov %rcx, regs_out+16(%rip)\n"
	"	mov %rdx, regs_out+24(%rip)\n"
	"	mov %rsi, regs_out+32(%rip)\n"
	"	mov %rdi, regs_out+40(%rip)\n"
	"	mov %rbp, regs_out+48(%rip)\n"
	"	mov %r8, regs_out+56(%rip)\n"
	"	mov %r9, regs_out+64(%rip)\n"
	"	mov %r10, regs_out+72(%rip)\n"
	"	mov %r11, regs_out+80(%rip)\n"
	"	mov %r12, regs_out+88(%rip)\n"
	"	mov %r13, regs_out+96(%rip)\n"
	"	mov %r14, regs_out+104(%rip)\n"
	"	mov %r15, regs_out+112(%rip)\n"
	"	movdqu %xmm0, regs_out+136(%rip)\n"
	"	movdqu %xmm1, regs_out+152(%rip)\n"
	"	movdqu %xmm2, regs_out+168(%rip)\n"
	"	movdqu %xmm3, regs_out+184(%rip)\n"
	"	movdqu %xmm4, regs_out+200(%rip)\n"
	"	movdqu %xmm5, regs_out+216(%rip)\n"
	"	movdqu %xmm6, regs_out+232(%rip)\n"
	"	movdqu %xmm7, regs_out+248(%rip)\n"
	"	movdqu %xmm8, regs_out+264(%rip)\n"
	"	movdqu %xmm9, regs_out+280(%rip)\n"
	"	movdqu %xmm10, regs_out+296(%rip)\n"
	"	movdqu %xmm11, regs_out+312(%rip)\n"
	"	movdqu %xmm12, regs_out+328(%rip)\n"
	"	movdqu %xmm13, regs_out+344(%rip)\n"
	"	movdqu %xmm14, regs_out+360(%rip)\n"
	"	movdqu %xmm15, regs_out+376(%rip)\n"
	"	stmxcsr regs_out+392(%rip)\n"
	"	fnstcw regs_out+396(%rip)\n"
	"	fstpl regs_out+400(%rip)\n"
	"	pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"
	"	ret\n");
void regs_test(void);

static void on_clobber(int sig)
{
	/* Leave nothing as it was: every SSE register, MXCSR, the x87
	 * control word and stack, DF. */
	__asm__ volatile(
		"pcmpeqd %%xmm0, %%xmm0\n"
		"movdqa %%xmm0, %%xmm1\n movdqa %%xmm0, %%xmm2\n movdqa %%xmm0, %%xmm3\n"
		"movdqa %%xmm0, %%xmm4\n movdqa %%xmm0, %%xmm5\n movdqa %%xmm0, %%xmm6\n"
		"movdqa %%xmm0, %%xmm7\n movdqa %%xmm0, %%xmm8\n movdqa %%xmm0, %%xmm9\n"
		"movdqa %%xmm0, %%xmm10\n movdqa %%xmm0, %%xmm11\n movdqa %%xmm0, %%xmm12\n"
		"movdqa %%xmm0, %%xmm13\n movdqa %%xmm0, %%xmm14\n movdqa %%xmm0, %%xmm15\n"
		"fldz\n fstp %%st(0)\n"
		::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
		    "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
		    "xmm15", "memory");
	{
		unsigned mx = 0x7f80 | (3 << 13);       /* round toward zero */
		unsigned short cw = 0x0c7f;

		__asm__ volatile("ldmxcsr %0; fldcw %1" :: "m"(mx), "m"(cw));
	}
	hits++;
	regs_flag = 1;
}

/* Fresh patterns, run once with the signal from source(), compare. */
static void regs_round(const char *what, void (*source)(void))
{
	for (int i = 0; i < 15; i++)
		regs_in.gpr[i] = 0x0101010101010101ULL * (i + 1) ^ 0x8000000000000000ULL;
	for (int i = 0; i < 16; i++)
		for (int j = 0; j < 16; j++)
			regs_in.xmm[i][j] = (uint8_t)(i * 16 + j + 1);
	regs_in.mxcsr = 0x1f80 | (1 << 13);    /* round down */
	regs_in.fcw = 0x027f;                   /* 53-bit precision */
	regs_in.st0 = 3.25;
	memset(&regs_out, 0, sizeof(regs_out));
	regs_flag = 0;
	hits = 0;
	source();
	regs_test();
	CHECK(hits == 1);
	for (int i = 0; i < 15; i++)
		if (regs_out.gpr[i] != regs_in.gpr[i]) {
			printf("t_signal: %s: register %d is %#llx, was %#llx\n", what, i,
			       (unsigned long long)regs_out.gpr[i],
			       (unsigned long long)regs_in.gpr[i]);
			check_failures++;
		}
	CHECK(regs_out.rsp == regs_saved_rsp);
	CHECK(regs_out.rflags & 0x400);         /* DF */
	CHECK(!memcmp(regs_out.xmm, regs_in.xmm, sizeof(regs_in.xmm)));
	CHECK(regs_out.mxcsr == regs_in.mxcsr);
	CHECK(regs_out.fcw == regs_in.fcw);
	CHECK(regs_out.st0 == 3.25);
}

static void from_timer(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 30000 } };

	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
}

static pid_t sender;
static void from_process(void)
{
	sender = send_later(SIGUSR1, 30, -1, 0);
}

static void test_sigreturn_registers(void)
{
	handle(SIGALRM, on_clobber, 0);
	handle(SIGUSR1, on_clobber, 0);
	regs_round("timer", from_timer);
	regs_round("kill", from_process);
	reap(sender);
	signal(SIGALRM, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
}

/* ---- the alternate stack, bad frames ----------------------------------------- */

static char altstack[64 * 1024];
static volatile int on_alt, alt_flags;

static void on_altstack(int sig)
{
	char here;
	stack_t now;

	on_alt = &here >= altstack && &here < altstack + sizeof(altstack);
	sigaltstack(NULL, &now);
	alt_flags = now.ss_flags;
}

static void test_altstack(void)
{
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) }, old;

	CHECK(sigaltstack(&ss, &old) == 0);
	CHECK(old.ss_flags == SS_DISABLE);
	handle(SIGUSR1, on_altstack, SA_ONSTACK);
	kill(getpid(), SIGUSR1);
	CHECK(on_alt);
	CHECK(alt_flags == SS_ONSTACK);
	/* Without SA_ONSTACK the handler stays on the normal stack. */
	handle(SIGUSR1, on_altstack, 0);
	kill(getpid(), SIGUSR1);
	CHECK(!on_alt);
	ss.ss_size = 100;
	CHECK_ERR(sigaltstack(&ss, NULL), ENOMEM);
	ss.ss_flags = SS_DISABLE;
	CHECK(sigaltstack(&ss, NULL) == 0);
	signal(SIGUSR1, SIG_DFL);
}

static void test_bad_frame(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		/* rt_sigreturn with the stack pointing at nothing. */
		__asm__ volatile("mov $8, %%rsp; mov %0, %%eax; syscall"
				 :: "i"(SYS_rt_sigreturn));
		_exit(5);
	}
	int status = reap(pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
	CHECK(!WCOREDUMP(status));
}

int main(void)
{
	check_name = "t_signal";
	test_siginfo();
	test_fault_handler();
	test_masks();
	test_sigsuspend();
	test_restart();
	test_sleep();
	test_sigreturn_registers();
	test_altstack();
	test_bad_frame();
	test_done();
}
