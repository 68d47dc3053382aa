/*
 * Signals: generation, delivery, handler frames and sigreturn, restart of
 * interrupted system calls, interruptible sleeps, ITIMER_REAL (see
 * signal.h). Facts about the frame layout and the restart rules are
 * Linux's x86-64 ABI; the structures come from <asm/sigcontext.h>,
 * <asm/ucontext.h> and <asm-generic/siginfo.h>.
 */
#include "kernel/proc/signal.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/tty.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/user.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/mm/uaccess.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"
#include "kernel/time/clock.h"
#include <asm/processor-flags.h>
#include <asm/sigcontext.h>
#include <asm/ucontext.h>
#include <asm/unistd_64.h>
#include <asm-generic/siginfo.h>
#include <linux/signal.h>

/* ---- the frame --------------------------------------------------------------- */

/*
 * What a handler finds on its stack (Linux's x86-64 struct rt_sigframe):
 * the return address (sa_restorer, which calls rt_sigreturn), the
 * ucontext and the siginfo; the FXSAVE image lies above it, 64-byte
 * aligned, and uc_mcontext.fpstate points there.
 */
struct rt_sigframe {
	u64 pretcode;
	struct ucontext uc;
	struct siginfo info;
};
_Static_assert(sizeof(struct sigcontext) == 256, "sigcontext");
_Static_assert(__builtin_offsetof(struct rt_sigframe, uc.uc_mcontext) == 48, "uc_mcontext");
_Static_assert(__builtin_offsetof(struct rt_sigframe, uc.uc_sigmask) == 304, "uc_sigmask");
_Static_assert(__builtin_offsetof(struct rt_sigframe, info) == 312, "info");
_Static_assert(sizeof(struct siginfo) == 128, "siginfo");
_Static_assert(sizeof(struct fpu_state) == sizeof(struct _fpstate_64), "fpstate");

/* trap_entry.S tests the saved CS at this offset. */
_Static_assert(__builtin_offsetof(struct trap_frame, cs) == 18 * 8, "FRAME_CS");

#define RED_ZONE 128                    /* the System V ABI's, below RSP */
#define FPSTATE_ALIGN 64

/* RFLAGS bits a sigreturn may change (the rest, IF and IOPL among them,
 * stay the kernel's to say). */
#define SIGRETURN_FLAGS (X86_EFLAGS_AC | X86_EFLAGS_OF | X86_EFLAGS_DF |   \
			 X86_EFLAGS_TF | X86_EFLAGS_SF | X86_EFLAGS_ZF |   \
			 X86_EFLAGS_AF | X86_EFLAGS_PF | X86_EFLAGS_CF |   \
			 X86_EFLAGS_RF)

/* MXCSR bits FXRSTOR accepts when the CPU reports no mask (SDM vol 1
 * §11.6.6). */
#define MXCSR_MASK_DEFAULT 0xffbf

/* Synchronous signals (from the instruction stream) go first. */
#define SIG_SYNCHRONOUS (sig_bit(SIGSEGV) | sig_bit(SIGBUS) | sig_bit(SIGILL) | \
			 sig_bit(SIGTRAP) | sig_bit(SIGFPE) | sig_bit(SIGSYS))

enum sig_default {
	SIGDFL_TERM,
	SIGDFL_CORE,                    /* terminate; no core file is written */
	SIGDFL_IGNORE,
	SIGDFL_STOP,
};

static enum sig_default sig_default_action(int sig)
{
	switch (sig) {
	case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
		return SIGDFL_IGNORE;
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return SIGDFL_STOP;
	case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS:
	case SIGFPE: case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
		return SIGDFL_CORE;
	default:
		return SIGDFL_TERM;
	}
}

/* ---- generation ---------------------------------------------------------------- */

/* Would p throw sig away now? Blocked signals are never ignored: the
 * handler may change before they are unblocked. proc_lock held. */
static bool sig_ignored_locked(struct proc *p, int sig)
{
	__sighandler_t h = p->sigaction[sig - 1].sa_handler;

	if (p->sigmask & sig_bit(sig))
		return false;
	return h == SIG_IGN || (h == SIG_DFL && sig_default_action(sig) == SIGDFL_IGNORE);
}

static void sig_queue_locked(struct proc *p, int sig, const struct sig_info *info)
{
	/* One instance per signal: a second one while the first is
	 * pending merges with it and keeps the first one's siginfo. */
	if (!(p->sig.pending & sig_bit(sig)))
		p->sig.info[sig - 1] = *info;
	p->sig.pending |= sig_bit(sig);
	if (!(p->sigmask & sig_bit(sig)) && (!p->sig.stopped || sig == SIGKILL))
		task_signal_wake(&p->thread->task);
}

void signal_send_locked(struct proc *p, int sig, const struct sig_info *info)
{
	if (p->state == PROC_ZOMBIE)
		return;
	if (sig == SIGCONT) {
		p->sig.pending &= ~SIG_STOPS;
		jobctl_continue_locked(p);
	} else if (sig_bit(sig) & SIG_STOPS) {
		p->sig.pending &= ~sig_bit(SIGCONT);
	}
	/* Init gets only the signals it has handlers for (as on Linux,
	 * where SIGKILL does not kill PID 1 either). */
	if (p->pid == 1 && p->sigaction[sig - 1].sa_handler == SIG_DFL)
		return;
	if (sig_ignored_locked(p, sig))
		return;
	sig_queue_locked(p, sig, info);
}

void signal_send(struct proc *p, int sig, const struct sig_info *info)
{
	unsigned long flags = spin_lock_irqsave(&proc_lock);

	signal_send_locked(p, sig, info);
	spin_unlock_irqrestore(&proc_lock, flags);
}

void signal_raise(int sig)
{
	struct proc *p = current_proc();
	struct sig_info si = { .code = SI_USER, .pid = p->pid, .uid = p->uid };

	signal_send(p, sig, &si);
}

bool signal_force_fault(int sig, int code, u64 addr)
{
	struct proc *p = current_proc();
	struct sig_info si = { .code = code, .addr = addr };
	struct sigaction *ka = &p->sigaction[sig - 1];
	unsigned long flags = spin_lock_irqsave(&proc_lock);
	bool fatal;

	if ((p->sigmask & sig_bit(sig)) || ka->sa_handler == SIG_IGN) {
		p->sigmask &= ~sig_bit(sig);
		ka->sa_handler = SIG_DFL;
	}
	fatal = ka->sa_handler == SIG_DFL;
	/* Past the init rule and the ignore check: this one is delivered. */
	sig_queue_locked(p, sig, &si);
	spin_unlock_irqrestore(&proc_lock, flags);
	return fatal;
}

/* May the current process (me) send sig to p? Root may; so may a
 * process whose uid or euid is p's uid or saved uid; SIGCONT within a
 * session always. proc_lock held. */
static bool kill_permitted(struct proc *me, struct proc *p, int sig)
{
	return !me->euid || me->euid == p->uid || me->euid == p->suid ||
	       me->uid == p->uid || me->uid == p->suid ||
	       (sig == SIGCONT && me->sid == p->sid);
}

long signal_kill(int pid, int sig, int si_code)
{
	struct proc *me = current_proc(), *p;
	struct sig_info si = { .code = si_code, .pid = me->pid, .uid = me->uid };
	unsigned long flags;
	long err = -ESRCH;
	bool found = false;

	if (sig < 0 || sig > SIG_COUNT)
		return -EINVAL;
	flags = spin_lock_irqsave(&proc_lock);
	list_for_each_entry(p, &all_procs, all_node) {
		bool match;

		if (pid > 0)
			match = p->pid == (u32)pid;
		else if (pid == 0)
			match = p->pgid == me->pgid;
		else if (pid == -1)
			match = p->pid != 1 && p != me;
		else
			match = p->pgid == (u32)-pid;
		if (!match)
			continue;
		if (!found)
			err = -EPERM;
		found = true;
		if (!kill_permitted(me, p, sig))
			continue;
		err = 0;
		if (sig)
			signal_send_locked(p, sig, &si);
	}
	spin_unlock_irqrestore(&proc_lock, flags);
	return err;
}

void signal_kill_pgrp(u32 pgid, int sig)
{
	struct sig_info si = { .code = SI_KERNEL };
	unsigned long flags = spin_lock_irqsave(&proc_lock);
	struct proc *p;

	list_for_each_entry(p, &all_procs, all_node)
		if (p->pgid == pgid)
			signal_send_locked(p, sig, &si);
	spin_unlock_irqrestore(&proc_lock, flags);
}

/* ---- the current process ------------------------------------------------------- */

static u64 deliverable(struct proc *p)
{
	return READ_ONCE(p->sig.pending) & ~(READ_ONCE(p->sigmask) & ~SIG_UNBLOCKABLE);
}

int signal_pending(void)
{
	struct proc *p = current_proc();

	return p && deliverable(p) ? -ERESTARTSYS : 0;
}

void signal_set_temp_mask(u64 mask)
{
	struct proc *p = current_proc();
	unsigned long flags = spin_lock_irqsave(&proc_lock);

	if (!p->sig.restore_mask) {
		p->sig.saved_mask = p->sigmask;
		p->sig.restore_mask = true;
	}
	p->sigmask = mask & ~SIG_UNBLOCKABLE;
	spin_unlock_irqrestore(&proc_lock, flags);
}

static void set_mask(struct proc *p, u64 mask)
{
	unsigned long flags = spin_lock_irqsave(&proc_lock);

	p->sigmask = mask & ~SIG_UNBLOCKABLE;
	spin_unlock_irqrestore(&proc_lock, flags);
}

/* ---- the alternate stack ------------------------------------------------------- */

/* Is sp on p's alternate stack? With SS_AUTODISARM the question has no
 * answer (the stack is given up while a handler uses it): no. */
static bool on_sig_stack(struct proc *p, u64 sp)
{
	if (p->sig.ss_flags & SS_AUTODISARM)
		return false;
	return sp > p->sig.ss_sp && sp - p->sig.ss_sp <= p->sig.ss_size;
}

static u32 sas_flags(struct proc *p, u64 sp)
{
	if (!p->sig.ss_size)
		return SS_DISABLE;
	return on_sig_stack(p, sp) ? SS_ONSTACK : 0;
}

long signal_sigaltstack(const stack_t *ss, stack_t *old, u64 sp)
{
	struct proc *p = current_proc();
	stack_t o = {
		.ss_sp = (void *)p->sig.ss_sp,
		.ss_size = p->sig.ss_size,
		.ss_flags = (int)(sas_flags(p, sp) | (p->sig.ss_flags & SS_FLAG_BITS)),
	};

	if (ss) {
		u32 mode = (u32)ss->ss_flags & ~SS_FLAG_BITS;

		if (on_sig_stack(p, sp))
			return -EPERM;
		if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			p->sig.ss_sp = 0;
			p->sig.ss_size = 0;
		} else {
			if (ss->ss_size < MINSIGSTKSZ)
				return -ENOMEM;
			p->sig.ss_sp = (uintptr_t)ss->ss_sp;
			p->sig.ss_size = ss->ss_size;
		}
		p->sig.ss_flags = (u32)ss->ss_flags;
	}
	if (old)
		*old = o;
	return 0;
}

/* ---- handler frames ------------------------------------------------------------ */

static void siginfo_fill(struct siginfo *si, int sig, const struct sig_info *in)
{
	memset(si, 0, sizeof(*si));
	si->si_signo = sig;
	si->si_code = in->code;
	switch (sig) {
	case SIGSEGV: case SIGBUS: case SIGILL: case SIGFPE: case SIGTRAP:
		if (in->code > 0 && in->code != SI_KERNEL) {
			si->si_addr = (void *)in->addr;
			return;
		}
		break;
	case SIGCHLD:
		if (in->code > 0 && in->code != SI_KERNEL) {
			si->si_pid = (int)in->pid;
			si->si_uid = in->uid;
			si->si_status = in->status;
			return;
		}
		break;
	}
	if (in->code == SI_USER || in->code == SI_TKILL) {
		si->si_pid = (int)in->pid;
		si->si_uid = in->uid;
	}
}

static void sigcontext_fill(struct sigcontext *sc, const struct trap_frame *f,
			    u64 fpstate, u64 oldmask, const struct sig_info *in)
{
	sc->r8 = f->r8; sc->r9 = f->r9; sc->r10 = f->r10; sc->r11 = f->r11;
	sc->r12 = f->r12; sc->r13 = f->r13; sc->r14 = f->r14; sc->r15 = f->r15;
	sc->rdi = f->rdi; sc->rsi = f->rsi; sc->rbp = f->rbp; sc->rbx = f->rbx;
	sc->rdx = f->rdx; sc->rax = f->rax; sc->rcx = f->rcx; sc->rsp = f->rsp;
	sc->rip = f->rip;
	sc->eflags = f->rflags;
	sc->cs = (u16)f->cs;
	sc->ss = (u16)f->ss;
	/* The exception this signal reports, when it comes from one. */
	if (f->vector < 32) {
		sc->trapno = f->vector;
		sc->err = f->error;
		if (f->vector == X86_TRAP_PF)
			sc->cr2 = in->addr;
	}
	sc->oldmask = oldmask;
	sc->fpstate = (struct _fpstate_64 *)fpstate;
}

/* The FXSAVE image's software-reserved bytes (struct _fpstate_64's
 * sw_reserved): zero, i.e. no XSAVE state follows, as Linux writes them
 * on a CPU it runs without XSAVE. */
#define FXSAVE_SW_RESERVED 464

/*
 * Build the handler's frame on the user stack (Linux's x86-64 layout and
 * placement: below the red zone or at the top of the alternate stack, the
 * FPU image 64-byte aligned, the frame so that RSP + 8 is 16-byte aligned
 * as at a function's entry) and point f at the handler. 0 or -EFAULT.
 */
static int setup_frame(struct proc *p, struct trap_frame *f, int sig,
		       const struct sigaction *ka, const struct sig_info *in, u64 oldmask)
{
	struct rt_sigframe frame;
	struct fpu_state fpu;
	u64 sp = f->rsp - RED_ZONE, fp, addr;
	bool altstack = false;

	if (!(ka->sa_flags & SA_RESTORER))
		return -EFAULT;         /* x86-64 has no vDSO fallback */
	if ((ka->sa_flags & SA_ONSTACK) && sas_flags(p, sp) == 0) {
		sp = p->sig.ss_sp + p->sig.ss_size;
		altstack = true;
	}
	fp = ALIGN_DOWN(sp - sizeof(fpu), FPSTATE_ALIGN);
	addr = ALIGN_DOWN(fp - sizeof(frame), 16) - 8;
	/* Running off the alternate stack would overwrite what lies below
	 * it: refuse, and the process dies of SIGSEGV. */
	if (altstack && !(addr > p->sig.ss_sp && addr - p->sig.ss_sp <= p->sig.ss_size))
		return -EFAULT;

	fpu_save(&fpu);
	memset(&fpu.fxsave[FXSAVE_SW_RESERVED], 0, sizeof(fpu) - FXSAVE_SW_RESERVED);
	memset(&frame, 0, sizeof(frame));
	frame.pretcode = (u64)ka->sa_restorer;
	frame.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	frame.uc.uc_stack.ss_sp = (void *)p->sig.ss_sp;
	frame.uc.uc_stack.ss_size = p->sig.ss_size;
	frame.uc.uc_stack.ss_flags = (int)p->sig.ss_flags;
	sigcontext_fill(&frame.uc.uc_mcontext, f, fp, oldmask, in);
	frame.uc.uc_sigmask = oldmask;
	if (ka->sa_flags & SA_SIGINFO)
		siginfo_fill(&frame.info, sig, in);
	if (copy_to_user((void *)fp, &fpu, sizeof(fpu)) ||
	    copy_to_user((void *)addr, &frame, sizeof(frame)))
		return -EFAULT;

	f->rdi = (u64)sig;
	f->rax = 0;             /* for handlers declared without a prototype */
	f->rsi = addr + __builtin_offsetof(struct rt_sigframe, info);
	f->rdx = addr + __builtin_offsetof(struct rt_sigframe, uc);
	f->rip = (u64)ka->sa_handler;
	f->rsp = addr;
	f->cs = GDT_UCODE;
	f->ss = GDT_UDATA;
	f->rflags &= ~(u64)(X86_EFLAGS_DF | X86_EFLAGS_RF | X86_EFLAGS_TF);
	/* The handler starts with a clean FPU, as a new program does. */
	fpu_state_init(&fpu);
	fpu_restore(&fpu);
	if (altstack && (p->sig.ss_flags & SS_AUTODISARM)) {
		p->sig.ss_sp = 0;
		p->sig.ss_size = 0;
		p->sig.ss_flags = SS_DISABLE;
	}
	return 0;
}

/* The sigcontext's FXSAVE image, made safe for FXRSTOR (reserved MXCSR
 * bits set would fault in the kernel). */
static void fpu_sanitize(struct fpu_state *s)
{
	struct fpu_state live;
	u32 mask, mxcsr;

	fpu_save(&live);
	memcpy(&mask, &live.fxsave[__builtin_offsetof(struct _fpstate_64, mxcsr_mask)],
	       sizeof(mask));
	if (!mask)
		mask = MXCSR_MASK_DEFAULT;
	memcpy(&mxcsr, &s->fxsave[__builtin_offsetof(struct _fpstate_64, mxcsr)], sizeof(mxcsr));
	mxcsr &= mask;
	memcpy(&s->fxsave[__builtin_offsetof(struct _fpstate_64, mxcsr)], &mxcsr, sizeof(mxcsr));
}

long signal_sigreturn(struct trap_frame *f)
{
	struct proc *p = current_proc();
	u64 addr = f->rsp - sizeof(u64);        /* the handler's ret took pretcode */
	struct rt_sigframe frame;
	const struct sigcontext *sc = &frame.uc.uc_mcontext;
	struct fpu_state fpu;
	stack_t ss;

	if (copy_from_user(&frame, (void *)addr, sizeof(frame)) || sc->rip >= USER_END)
		goto badframe;
	if (sc->fpstate) {
		if (copy_from_user(&fpu, sc->fpstate, sizeof(fpu)))
			goto badframe;
		fpu_sanitize(&fpu);
	} else {
		fpu_state_init(&fpu);
	}
	set_mask(p, frame.uc.uc_sigmask);
	f->r8 = sc->r8; f->r9 = sc->r9; f->r10 = sc->r10; f->r11 = sc->r11;
	f->r12 = sc->r12; f->r13 = sc->r13; f->r14 = sc->r14; f->r15 = sc->r15;
	f->rdi = sc->rdi; f->rsi = sc->rsi; f->rbp = sc->rbp; f->rbx = sc->rbx;
	f->rdx = sc->rdx; f->rax = sc->rax; f->rcx = sc->rcx; f->rsp = sc->rsp;
	f->rip = sc->rip;
	f->rflags = (f->rflags & ~(u64)SIGRETURN_FLAGS) | (sc->eflags & SIGRETURN_FLAGS);
	/* Only the user code and stack segments exist for a 64-bit
	 * program; anything else would fault IRET in the kernel. */
	f->cs = GDT_UCODE;
	f->ss = GDT_UDATA;
	f->error = (u64)-1;     /* not a system call: nothing to restart */
	fpu_restore(&fpu);
	p->sig.restart.fn = NULL;
	p->sig.full_restore = true;
	/* The alternate stack as the frame recorded it; as on Linux, a
	 * refusal (say, still on it) is not an error. */
	ss = frame.uc.uc_stack;
	signal_sigaltstack(&ss, NULL, f->rsp);
	return (long)f->rax;

badframe:
	pr_info("proc: pid %u (%s): bad signal frame at %#lx\n", p->pid, p->comm,
		(unsigned long)addr);
	signal_force_fault(SIGSEGV, SI_KERNEL, 0);
	return (long)f->rax;
}

/* ---- delivery ------------------------------------------------------------------ */

static bool is_restart_code(long v)
{
	return v == -ERESTARTSYS || v == -ERESTARTNOINTR || v == -ERESTARTNOHAND ||
	       v == -ERESTART_RESTARTBLOCK;
}

/* f returns from a system call that was interrupted (and not yet dealt
 * with): orig_rax (error) is its number, RAX a restart code. */
static bool syscall_interrupted(const struct trap_frame *f)
{
	return f->vector == TRAP_VECTOR_SYSCALL && (s64)f->error >= 0 &&
	       is_restart_code((long)f->rax);
}

/* A handler will run: EINTR, or restart as the handler's flags say. */
static void restart_for_handler(struct trap_frame *f, const struct sigaction *ka)
{
	long v = (long)f->rax;

	if (v == -ERESTARTNOINTR || (v == -ERESTARTSYS && (ka->sa_flags & SA_RESTART))) {
		f->rax = f->error;
		f->rip -= 2;            /* the SYSCALL instruction again */
	} else {
		f->rax = (u64)-EINTR;
	}
	f->error = (u64)-1;
}

/* No handler ran: every interrupted call starts over. */
static void restart_without_handler(struct trap_frame *f)
{
	f->rax = (long)f->rax == -ERESTART_RESTARTBLOCK ? __NR_restart_syscall : f->error;
	f->rip -= 2;
	f->error = (u64)-1;
}

static int next_signal(u64 set)
{
	u64 sync = set & SIG_SYNCHRONOUS;

	return set ? __builtin_ctzll(sync ? sync : set) + 1 : 0;
}

static void __noreturn die_of(struct proc *p, int sig)
{
	/* Linux sets WCOREDUMP only when a core file was written; none is. */
	proc_exit(sig);
}

/*
 * One pass of delivery, interrupts on: take pending signals in order and
 * act on each (ignore, stop, die, or push a handler frame and go on with
 * the rest, which nest), then settle an interrupted system call and the
 * temporary mask.
 */
static void do_signal(struct proc *p, struct trap_frame *f)
{
	bool handled = false;

	for (;;) {
		unsigned long flags = spin_lock_irqsave(&proc_lock);
		int sig = next_signal(deliverable(p));
		struct sigaction ka;
		struct sig_info info;
		u64 oldmask;

		if (!sig) {
			spin_unlock_irqrestore(&proc_lock, flags);
			break;
		}
		p->sig.pending &= ~sig_bit(sig);
		info = p->sig.info[sig - 1];
		ka = p->sigaction[sig - 1];
		if (ka.sa_handler == SIG_IGN) {
			spin_unlock_irqrestore(&proc_lock, flags);
			continue;
		}
		if (ka.sa_handler == SIG_DFL) {
			enum sig_default act = sig_default_action(sig);

			/* A stop from the terminal means nothing to an
			 * orphaned group: nobody would continue it. */
			if (act == SIGDFL_STOP && sig != SIGSTOP &&
			    jobctl_pgrp_orphaned_locked(p->pgid))
				act = SIGDFL_IGNORE;
			spin_unlock_irqrestore(&proc_lock, flags);
			if (act == SIGDFL_IGNORE)
				continue;
			if (act == SIGDFL_STOP) {
				jobctl_stop(p, sig);
				continue;
			}
			die_of(p, sig);
		}
		if (ka.sa_flags & SA_RESETHAND)
			p->sigaction[sig - 1].sa_handler = SIG_DFL;
		oldmask = p->sig.restore_mask ? p->sig.saved_mask : p->sigmask;
		spin_unlock_irqrestore(&proc_lock, flags);

		if (syscall_interrupted(f))
			restart_for_handler(f, &ka);
		if (setup_frame(p, f, sig, &ka, &info, oldmask)) {
			pr_info("proc: pid %u (%s): cannot push the frame for signal %d (stack %#lx)\n",
				p->pid, p->comm, sig, (unsigned long)f->rsp);
			signal_force_fault(SIGSEGV, SI_KERNEL, 0);
			if (sig == SIGSEGV)
				die_of(p, SIGSEGV);
			continue;
		}
		flags = spin_lock_irqsave(&proc_lock);
		p->sigmask |= ka.sa_mask & ~SIG_UNBLOCKABLE;
		if (!(ka.sa_flags & SA_NODEFER))
			p->sigmask |= sig_bit(sig) & ~SIG_UNBLOCKABLE;
		/* The frame carries the mask to go back to. */
		p->sig.restore_mask = false;
		spin_unlock_irqrestore(&proc_lock, flags);
		handled = true;
	}
	if (!handled && syscall_interrupted(f))
		restart_without_handler(f);
	if (p->sig.restore_mask) {
		p->sig.restore_mask = false;
		set_mask(p, p->sig.saved_mask);
	}
}

static bool exit_work(struct proc *p, const struct trap_frame *f)
{
	return deliverable(p) || syscall_interrupted(f) || p->sig.restore_mask;
}

bool signal_exit_to_user(struct trap_frame *f)
{
	struct thread *t = current_thread();
	struct proc *p;
	bool full;

	irq_disable();
	if (!t)
		return false;
	p = t->proc;
	/* Checked with interrupts off: a signal sent after the last look
	 * comes with an interrupt (task_signal_wake), which finds it. */
	while (exit_work(p, f)) {
		irq_enable();
		do_signal(p, f);
		irq_disable();
	}
	full = p->sig.full_restore;
	p->sig.full_restore = false;
	proc_time_leave(t);
	return full;
}

/* ---- sleeping and restarting --------------------------------------------------- */

struct sleep_timer {
	struct timer timer;
	struct task *task;
};

static void sleep_timer_fire(struct timer *t)
{
	task_wake(container_of(t, struct sleep_timer, timer)->task);
}

static long nanosleep_restart(struct restart_block *rb)
{
	return signal_nanosleep(rb->deadline, rb->rem, false);
}

long signal_nanosleep(u64 deadline, struct __kernel_timespec *rem, bool absolute)
{
	struct sleep_timer st = { .task = current_task() };
	struct proc *p = current_proc();
	bool interrupted = false;
	u64 now;

	timer_setup(&st.timer, sleep_timer_fire);
	timer_arm(&st.timer, deadline);
	for (;;) {
		signal_set_sleeping();
		if (ktime_get() >= deadline)
			break;
		if (signal_pending()) {
			interrupted = true;
			break;
		}
		schedule();
	}
	st.task->state = TASK_RUNNABLE;
	timer_cancel_sync(&st.timer);
	if (!interrupted)
		return 0;
	if (absolute)
		return -ERESTARTNOHAND;
	now = ktime_get();
	if (rem) {
		u64 left = deadline > now ? deadline - now : 0;
		struct __kernel_timespec ts = {
			.tv_sec = (s64)(left / NSEC_PER_SEC),
			.tv_nsec = (s64)(left % NSEC_PER_SEC),
		};

		if (copy_to_user(rem, &ts, sizeof(ts)))
			return -EFAULT;
	}
	p->sig.restart = (struct restart_block){ nanosleep_restart, deadline, rem };
	return -ERESTART_RESTARTBLOCK;
}

long signal_restart_syscall(void)
{
	struct proc *p = current_proc();
	struct restart_block rb = p->sig.restart;

	p->sig.restart.fn = NULL;
	return rb.fn ? rb.fn(&rb) : -EINTR;
}

/* ---- ITIMER_REAL --------------------------------------------------------------- */

static void itimer_fire(struct timer *t)
{
	struct proc *p = container_of(t, struct proc, sig.itimer);
	struct sig_info si = { .code = SI_KERNEL };
	unsigned long flags = spin_lock_irqsave(&proc_lock);

	signal_send_locked(p, SIGALRM, &si);
	if (p->sig.it_interval)
		timer_arm(t, t->expires + p->sig.it_interval);
	spin_unlock_irqrestore(&proc_lock, flags);
}

/* Stop the timer for good: no callback runs or re-arms it afterwards. */
static void itimer_stop(struct proc *p)
{
	unsigned long flags;

	if (!p->sig.itimer.fn)
		return;
	flags = spin_lock_irqsave(&proc_lock);
	p->sig.it_interval = 0;
	spin_unlock_irqrestore(&proc_lock, flags);
	timer_cancel_sync(&p->sig.itimer);
}

void signal_itimer_get(u64 *value, u64 *interval)
{
	struct proc *p = current_proc();
	unsigned long flags = spin_lock_irqsave(&proc_lock);
	u64 now = ktime_get();

	*value = 0;
	if (p->sig.itimer.fn && READ_ONCE(p->sig.itimer.queue))
		*value = p->sig.itimer.expires > now ? p->sig.itimer.expires - now : 1;
	*interval = p->sig.it_interval;
	spin_unlock_irqrestore(&proc_lock, flags);
}

void signal_itimer_set(u64 value, u64 interval)
{
	struct proc *p = current_proc();
	unsigned long flags;

	if (!p->sig.itimer.fn)
		timer_setup(&p->sig.itimer, itimer_fire);
	itimer_stop(p);
	if (!value)
		return;
	flags = spin_lock_irqsave(&proc_lock);
	p->sig.it_interval = interval;
	timer_arm(&p->sig.itimer, ktime_get() + value);
	spin_unlock_irqrestore(&proc_lock, flags);
}

/* ---- life cycle ---------------------------------------------------------------- */

void signal_fork(struct proc *child, struct proc *parent, int exit_signal)
{
	child->sig.exit_signal = exit_signal;
	child->sig.ss_sp = parent->sig.ss_sp;
	child->sig.ss_size = parent->sig.ss_size;
	child->sig.ss_flags = parent->sig.ss_flags;
}

void signal_exec(struct proc *p)
{
	p->sig.ss_sp = 0;
	p->sig.ss_size = 0;
	p->sig.ss_flags = SS_DISABLE;
}

void signal_exit(struct proc *p)
{
	itimer_stop(p);
	if (p->pid == p->sid)
		tty_session_exit(p->sid);
}
