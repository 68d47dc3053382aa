/*
 * Interrupt and exception entry. One stub per vector pushes a zero error
 * code where the CPU pushes none (so every frame has the same shape) and
 * the vector number, then joins trap_common, which saves the general
 * registers as a struct trap_frame (traps.h) and calls trap_dispatch().
 *
 * Stack alignment: the CPU aligns RSP to 16 and pushes 5 words; the stub
 * pushes 2 and trap_common 15, so RSP is 16-aligned at the call.
 */
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/frame.S.h"

#define FRAME_CS (18 * 8)               /* struct trap_frame's cs */

	.text
	.balign 16
	.globl trap_stubs
trap_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	/* Exceptions that push an error code: SDM vol 3 table 6-1. */
	.if !((vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30))
	pushq $0
	.endif
	pushq $vec
	jmp trap_common
	.set vec, vec + 1
	.endr

trap_common:
	/* Interrupt delivery keeps RFLAGS.AC: a trap in the middle of a user
	 * copy must not run with SMAP's protection lifted. iretq restores
	 * the interrupted code's AC. */
	cmpb $0, paging_smap_on(%rip)
	je 1f
	clac
1:
	/* From user mode (CS at 24(%rsp) has RPL 3): kernel GS base. */
	testb $3, 24(%rsp)
	jz 1f
	swapgs
1:
	PUSH_GPRS
	cld
	movq %rsp, %rdi
	call trap_dispatch
	/* Back to user mode: pending signals first (interrupts stay off
	 * from there to IRET). */
	testb $3, FRAME_CS(%rsp)
	jz trap_return
	movq %rsp, %rdi
	call signal_exit_to_user
	.globl trap_return
trap_return:
	POP_GPRS
	testb $3, 24(%rsp)
	jz 2f
	swapgs
2:
	addq $16, %rsp                  /* vector, error code */
	iretq

/*
 * Kernel setjmp/longjmp for trap recovery (traps.c, trap_catch_call):
 * saves the callee-saved registers, RSP and the return address.
 * struct kjmp_buf layout: rbx rbp r12 r13 r14 r15 rsp rip.
 */
	.globl ksetjmp
ksetjmp:
	movq %rbx, 0(%rdi)
	movq %rbp, 8(%rdi)
	movq %r12, 16(%rdi)
	movq %r13, 24(%rdi)
	movq %r14, 32(%rdi)
	movq %r15, 40(%rdi)
	leaq 8(%rsp), %rax              /* RSP after our return */
	movq %rax, 48(%rdi)
	movq (%rsp), %rax
	movq %rax, 56(%rdi)
	xorl %eax, %eax
	ret

	.globl klongjmp
klongjmp:
	movq 0(%rdi), %rbx
	movq 8(%rdi), %rbp
	movq 16(%rdi), %r12
	movq 24(%rdi), %r13
	movq 32(%rdi), %r14
	movq 40(%rdi), %r15
	movq 48(%rdi), %rsp
	movl %esi, %eax
	jmpq *56(%rdi)

/*
 * Read a kernel word that may not be mapped (backtraces through a corrupt
 * frame chain). int read_u64_nofault(const u64 *p, u64 *out): 0 or -EFAULT.
 */
	.globl read_u64_nofault
read_u64_nofault:
1:	movq (%rdi), %rax
	movq %rax, (%rsi)
	xorl %eax, %eax
	ret
2:	movl $-14, %eax                 /* -EFAULT */
	ret
	.section .extable, "a"
	.balign 8
	.quad 1b, 2b
	.previous
