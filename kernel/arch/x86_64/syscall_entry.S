/*
 * SYSCALL entry (SDM vol 2, SYSCALL): RCX = user RIP, R11 = user RFLAGS,
 * RFLAGS masked by FMASK (interrupts off), still on the user stack with the
 * user GS base. Swap to the kernel GS base, switch to the task's kernel
 * stack (this_cpu()->kstack_top), and save a struct trap_frame (traps.h)
 * of the same shape trap_common builds, so trap_return can leave through
 * it too. RAX = number; RDI, RSI, RDX, R10, R8, R9 = arguments; the result
 * goes back in RAX and RCX/R11 are clobbered, as on Linux.
 */
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/frame.S.h"

#define CPU_KSTACK_TOP 8
#define CPU_USER_RSP   16
#define TRAP_VECTOR_SYSCALL 0x100
#define FRAME_RCX    (12 * 8)
#define FRAME_R11    (4 * 8)
#define FRAME_RIP    (17 * 8)
#define FRAME_RFLAGS (19 * 8)

	.text
	.globl syscall_entry
syscall_entry:
	swapgs
	movq %rsp, %gs:CPU_USER_RSP
	movq %gs:CPU_KSTACK_TOP, %rsp
	pushq $GDT_UDATA                /* ss */
	pushq %gs:CPU_USER_RSP          /* rsp */
	pushq %r11                      /* rflags */
	pushq $GDT_UCODE                /* cs */
	pushq %rcx                      /* rip */
	pushq %rax                      /* error: the number, orig_rax */
	pushq $TRAP_VECTOR_SYSCALL      /* vector */
	PUSH_GPRS
	/* 22 words (176 bytes) below a 16-aligned top: RSP is 16-aligned
	 * at the call, as the ABI wants. */
	sti
	movq %rsp, %rdi
	call syscall_entry_c
	cli
	testb %al, %al
	jz trap_return                  /* IRET: restores everything */
	/* SYSRET: RCX and R11 carry RIP and RFLAGS (SDM vol 2, SYSRET). */
	movq FRAME_RIP(%rsp), %rcx
	movq %rcx, FRAME_RCX(%rsp)
	movq FRAME_RFLAGS(%rsp), %r11
	movq %r11, FRAME_R11(%rsp)
	POP_GPRS
	/* vector, error, rip, cs, rflags, then the user RSP. Interrupts stay
	 * off until SYSRET loads the user RFLAGS, so nothing can run on the
	 * user GS base in kernel mode. */
	movq 40(%rsp), %rsp
	swapgs
	sysretq

/* void user_return(struct trap_frame *f): leave through f. */
	.globl user_return
user_return:
	cli
	movq %rdi, %rsp
	jmp trap_return
