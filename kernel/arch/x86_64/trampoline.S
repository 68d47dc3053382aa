/*
 * SMP start-up trampoline. smp.c copies [smp_trampoline, smp_trampoline_end)
 * to a page P below 1 MiB and sends STARTUP IPIs with vector P >> 12, so an
 * application processor starts here in real mode with CS = P >> 4, IP = 0
 * (SDM vol 3 §9.4.4). It climbs to long mode with the boot CPU's CR3, CR4,
 * EFER and CR0 (from the data block smp.c fills in at the end of the page),
 * then jumps to smp_ap_entry(cpu) in the higher half on its own stack.
 *
 * The code is position-independent: EBX/RBX holds P, every address is
 * P + (label - smp_trampoline), and the far-jump targets are computed at
 * run time into the pointers below.
 */
#include "kernel/arch/x86_64/layout.h"

#define OFF(x) ((x) - smp_trampoline)

	.section .rodata
	.balign 16
	.globl smp_trampoline, smp_trampoline_end
	.code16
smp_trampoline:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	movzwl %ax, %ebx
	shll $4, %ebx                           /* EBX = P */
	leal OFF(tramp_gdt)(%ebx), %eax
	movl %eax, OFF(tramp_gdt_desc) + 2
	leal OFF(tramp32)(%ebx), %eax
	movl %eax, OFF(tramp_far32)
	leal OFF(tramp64)(%ebx), %eax
	movl %eax, OFF(tramp_far64)
	lgdtl OFF(tramp_gdt_desc)
	movl %cr0, %eax
	orl $1, %eax                            /* PE */
	movl %eax, %cr0
	ljmpl *OFF(tramp_far32)

	.code32
tramp32:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	/* CR4 (PAE and friends) before paging; PCIDE only in long mode. */
	movl OFF(tramp_cr4)(%ebx), %eax
	andl $~(1 << 17), %eax
	movl %eax, %cr4
	movl OFF(tramp_cr3)(%ebx), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx                  /* EFER: LME, NXE, SCE */
	movl OFF(tramp_efer)(%ebx), %eax
	movl OFF(tramp_efer) + 4(%ebx), %edx
	wrmsr
	movl OFF(tramp_cr0)(%ebx), %eax         /* PG, WP, ...: long mode */
	movl %eax, %cr0
	ljmpl *OFF(tramp_far64)(%ebx)

	.code64
tramp64:
	movl %ebx, %ebx
	movq OFF(tramp_stack)(%rbx), %rsp
	movq OFF(tramp_cpu)(%rbx), %rdi
	movq OFF(tramp_entry)(%rbx), %rax
	xorl %ebp, %ebp                         /* ends backtraces */
	jmpq *%rax

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff                /* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff                /* 0x10: data */
	.quad 0x00af9a000000ffff                /* 0x18: 64-bit code */
tramp_gdt_end:
tramp_gdt_desc:
	.word tramp_gdt_end - tramp_gdt - 1
	.long 0                                 /* P + OFF(tramp_gdt) */
	.balign 4
tramp_far32:
	.long 0
	.word 0x08
	.balign 4
tramp_far64:
	.long 0
	.word 0x18

	/* Filled in by smp.c for each CPU (struct smp_tramp_data). */
	.balign 8
	.globl smp_trampoline_data
smp_trampoline_data:
tramp_cr3:   .quad 0
tramp_cr4:   .quad 0
tramp_efer:  .quad 0
tramp_cr0:   .quad 0
tramp_stack: .quad 0
tramp_cpu:   .quad 0
tramp_entry: .quad 0
smp_trampoline_end:
