/*
 * A user task's CPU context on a context switch, and CPU exceptions in
 * user tasks (see proc.h).
 */
#include "kernel/proc/proc.h"
#include "kernel/proc/vm.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/user.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/mm/kstack.h"
#include "kernel/mm/vmm.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include <asm/signal.h>
#include <asm-generic/siginfo.h>

void thread_load(struct thread *t)
{
	struct mm *mm = t->proc->mm;

	as_switch(mm ? mm->as : &kernel_as);
	user_set_kstack((u64)t->kstack + KSTACK_SIZE);
	user_set_fs_base(t->fs_base);
	fpu_restore(&t->fpu);
}

/* A thread switched between its CPU time hooks and the mode change
 * (proc.h): user time stops at the switch and starts again at the switch
 * back, so time off the CPU never counts. */
static void time_switch(struct thread *prev, struct thread *next)
{
	if (prev && prev->user_since) {
		u64 now = rdtsc();

		prev->user_cycles += now - prev->user_since;
		prev->user_since = now;
	}
	if (next && next->user_since)
		next->user_since = rdtsc();
}

void proc_switch(struct task *prev, struct task *next)
{
	time_switch(prev->thread, next->thread);
	if (prev->thread)
		fpu_save(&prev->thread->fpu);
	if (next->thread) {
		BUG_ON(next->rsp - (u64)next->thread->kstack >= KSTACK_SIZE);
		thread_load(next->thread);
	}
	else
		as_switch(&kernel_as);  /* no user space outlives its last CPU */
}

/* The signal Linux sends for an exception in user mode, and its si_code. */
static int trap_signal(unsigned vector, int *code)
{
	switch (vector) {
	case X86_TRAP_DE:
		*code = FPE_INTDIV;
		return SIGFPE;
	case 16:                /* #MF */
	case 19:                /* #XM */
		*code = FPE_FLTINV;
		return SIGFPE;
	case X86_TRAP_DB:
	case X86_TRAP_BP:
		*code = SI_KERNEL;
		return SIGTRAP;
	case X86_TRAP_UD:
		*code = ILL_ILLOPN;
		return SIGILL;
	case 17:                /* #AC */
		*code = BUS_ADRALN;
		return SIGBUS;
	default:
		*code = SI_KERNEL;      /* #GP and the rest: no address */
		return SIGSEGV;
	}
}

static const char *const signal_names[] = {
	[SIGSEGV] = "SIGSEGV", [SIGBUS] = "SIGBUS", [SIGILL] = "SIGILL",
	[SIGFPE] = "SIGFPE", [SIGTRAP] = "SIGTRAP", [SIGKILL] = "SIGKILL",
};

bool proc_trap(struct trap_frame *f, u64 cr2)
{
	struct proc *p = current_proc();
	bool user = f->cs & 3;
	int sig, code, err = -EFAULT;
	u64 addr = f->rip;

	if (f->vector == X86_TRAP_NMI || f->vector == X86_TRAP_MC ||
	    f->vector == X86_TRAP_DF)
		return false;
	/* Entries from user mode land at the top of the task's own stack
	 * (TSS RSP0, set by thread_load). */
	BUG_ON(user && f != p->thread->frame);
	if (!user) {
		/* A user copy on a page not there yet: fault it in if this
		 * context may sleep; else the exception table says -EFAULT. */
		if (f->vector != X86_TRAP_PF || cr2 >= USER_END || !p->mm ||
		    !(f->rflags & X86_RFLAGS_IF) || this_cpu()->preempt_count)
			return false;
	}
	irq_enable();
	if (f->vector == X86_TRAP_PF && cr2 < USER_END && p->mm) {
		unsigned access = (f->error & PF_WRITE) ? VM_WRITE :
				  (f->error & PF_INSTR) ? VM_EXEC : 0;

		err = vm_fault(p->mm, cr2, access);
		if (!err) {
			irq_disable();
			return true;
		}
	}
	if (!user) {
		irq_disable();
		return false;
	}
	if (f->vector == X86_TRAP_PF) {
		sig = err == -EIO ? SIGBUS : err == -ENOMEM ? SIGKILL : SIGSEGV;
		code = sig == SIGBUS ? BUS_ADRERR : sig == SIGKILL ? SI_KERNEL :
		       (f->error & PF_PRESENT) && cr2 < USER_END ? SEGV_ACCERR : SEGV_MAPERR;
		addr = cr2;
	} else {
		sig = trap_signal((unsigned)f->vector, &code);
	}
	/* Delivered on the way back to user mode (signal.c): a handler
	 * may catch it; without one the process dies. */
	if (signal_force_fault(sig, code, addr))
		pr_info("proc: pid %u (%s) killed by %s: %s at ip %#lx sp %#lx addr %#lx\n",
			p->pid, p->comm, signal_names[sig] ? signal_names[sig] : "a signal",
			trap_name((unsigned)f->vector), (unsigned long)f->rip,
			(unsigned long)f->rsp, (unsigned long)cr2);
	irq_disable();
	return true;
}
