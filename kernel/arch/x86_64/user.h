/*
 * The user/kernel boundary on x86-64: SYSCALL/SYSRET set-up, entering user
 * mode, and the per-task CPU state the scheduler switches (kernel stack
 * for entries from user mode, FS base).
 *
 * A syscall saves the user's registers as a struct trap_frame at the top
 * of the task's kernel stack, exactly where an interrupt or exception from
 * user mode puts its frame, so fork, exec and signal delivery have one
 * shape to work with. The frame's `vector` says TRAP_VECTOR_SYSCALL and
 * `error` holds the syscall number as it came in (orig_rax).
 */
#ifndef VIREO_ARCH_USER_H
#define VIREO_ARCH_USER_H

#include "kernel/arch/x86_64/traps.h"

#define TRAP_VECTOR_SYSCALL 0x100

/* STAR, LSTAR, FMASK and EFER.SCE on this CPU. */
void syscall_cpu_init(void);

/* A frame that enters user mode at rip with stack rsp, interrupts on and
 * every general register zero. */
void user_frame_init(struct trap_frame *f, u64 rip, u64 rsp);

/* Leave for user mode through f, which lies at the top of the running
 * task's kernel stack (trap_entry.S's return path). */
void __noreturn user_return(struct trap_frame *f);

/* Where entries from user mode land on this CPU: TSS RSP0 and the syscall
 * stack. Called on every switch to a user task. */
void user_set_kstack(u64 top);

void user_set_fs_base(u64 base);
u64 user_get_fs_base(void);

/* The C side of syscall_entry.S: dispatch, deliver signals, then say
 * whether SYSRET can return (true) or the full IRET path is needed (exec,
 * sigreturn, a frame changed into something SYSRET cannot restore).
 * Returns with interrupts off. */
bool syscall_entry_c(struct trap_frame *f);

#endif
