/* The system call table and dispatch (see syscall.h). */
#include "kernel/syscall/syscall.h"
#include "kernel/proc/proc.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include <asm/unistd_64.h>

typedef long (*syscall_fn)(struct trap_frame *frame);

#define SYSCALL_ENTRY(name) [__NR_##name] = sys_##name,
static const syscall_fn syscall_table[] = {
	SYSCALL_LIST(SYSCALL_ENTRY)
};
#undef SYSCALL_ENTRY

#define SYSCALL_MAX ARRAY_SIZE(syscall_table)

/* Numbers already reported as missing: one line each, not one per call. */
static u64 enosys_seen[(512 + 63) / 64];

static void report_enosys(u64 nr)
{
	struct proc *p = current_proc();

	if (nr < 512) {
		u64 bit = 1ULL << (nr % 64);

		if (__atomic_fetch_or(&enosys_seen[nr / 64], bit, __ATOMIC_RELAXED) & bit)
			return;
	}
	pr_info("syscall: %lu not implemented (first called by pid %u, %s): -ENOSYS\n",
		(unsigned long)nr, p ? p->pid : 0, p ? p->comm : "?");
}

void syscall_dispatch(struct trap_frame *f)
{
	struct thread *t = current_thread();
	u64 nr = f->rax;
	long ret;

	BUG_ON(f != t->frame);          /* syscall_entry.S's stack */
	proc_time_enter(t);
	if (nr < SYSCALL_MAX && syscall_table[nr]) {
		ret = syscall_table[nr](f);
	} else {
		report_enosys(nr);
		ret = -ENOSYS;
	}
	f->rax = (u64)ret;
}
