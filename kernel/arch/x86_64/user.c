/* SYSCALL/SYSRET set-up and user-mode entry (see user.h). */
#include "kernel/arch/x86_64/user.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/lib/string.h"
#include "kernel/syscall/syscall.h"
#include "kernel/proc/signal.h"
#include <asm/processor-flags.h>

/* SDM vol 4, table 2-2 (architectural MSRs). */
#define MSR_EFER   0xc0000080
#define MSR_STAR   0xc0000081
#define MSR_LSTAR  0xc0000082
#define MSR_FMASK  0xc0000084
#define MSR_FS_BASE 0xc0000100
#define EFER_SCE   (1ULL << 0)

/* syscall_entry.S addresses these as %gs:8 and %gs:16. */
_Static_assert(__builtin_offsetof(struct cpu, kstack_top) == 8, "cpu.kstack_top");
_Static_assert(__builtin_offsetof(struct cpu, user_rsp) == 16, "cpu.user_rsp");

void syscall_entry(void);

void syscall_cpu_init(void)
{
	/* SYSCALL loads CS = STAR[47:32], SS = +8; 64-bit SYSRET loads
	 * CS = STAR[63:48] + 16, SS = STAR[63:48] + 8 (SDM vol 2, SYSRET):
	 * the GDT's Linux order makes both work (layout.h). */
	wrmsr(MSR_STAR, ((u64)GDT_UCODE32 << 48) | ((u64)GDT_KCODE << 32));
	wrmsr(MSR_LSTAR, (u64)syscall_entry);
	/* Entered with interrupts off (until the stack is switched), no
	 * single-step, DF clear as the ABI wants, and AC clear so SMAP holds. */
	wrmsr(MSR_FMASK, X86_EFLAGS_IF | X86_EFLAGS_TF | X86_EFLAGS_DF |
			 X86_EFLAGS_AC | X86_EFLAGS_NT | X86_EFLAGS_IOPL |
			 X86_EFLAGS_RF);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

void user_frame_init(struct trap_frame *f, u64 rip, u64 rsp)
{
	memset(f, 0, sizeof(*f));
	f->rip = rip;
	f->rsp = rsp;
	f->cs = GDT_UCODE;
	f->ss = GDT_UDATA;
	f->rflags = X86_EFLAGS_IF | X86_EFLAGS_FIXED;
	f->vector = TRAP_VECTOR_SYSCALL;
}

void user_set_kstack(u64 top)
{
	struct cpu *c = this_cpu();

	c->tss.rsp[0] = top;
	c->kstack_top = top;
}

void user_set_fs_base(u64 base)
{
	wrmsr(MSR_FS_BASE, base);
}

u64 user_get_fs_base(void)
{
	return rdmsr(MSR_FS_BASE);
}

bool syscall_entry_c(struct trap_frame *f)
{
	syscall_dispatch(f);
	/* Signals on the way out; rt_sigreturn restores RCX and R11 too. */
	if (signal_exit_to_user(f))
		return false;
	/* SYSRET reloads RIP from RCX and RFLAGS from R11 and takes fixed
	 * selectors; a non-canonical RIP would fault in kernel mode with the
	 * user's stack (SDM vol 2, SYSRET), so that and anything else it
	 * cannot express goes through IRET. */
	return f->rip < USER_END && f->cs == GDT_UCODE && f->ss == GDT_UDATA &&
	       !(f->rflags & (X86_EFLAGS_TF | X86_EFLAGS_RF));
}
