/*
 * The instructions that touch user memory (kernel/mm/uaccess.c does the
 * range checks). Each access that may fault has an exception-table entry
 * (traps.c) whose fixup returns what is left to do. With SMAP on, AC is
 * set (stac) only around the access and cleared (clac) on every way out,
 * the fixups included: the trap returns with the AC the access ran with.
 *
 * rep movsb / rep stosb update RCX, RSI and RDI as they go and fault with
 * them describing the bytes not yet done (SDM vol 2, REP), so RCX is the
 * count left at the fixup.
 */
#include <asm-generic/errno-base.h>

/* stac/clac are #UD without SMAP: only when paging_smap_on. */
.macro UACCESS_BEGIN
	cmpb $0, paging_smap_on(%rip)
	je .Lno_stac\@
	stac
.Lno_stac\@:
.endm

.macro UACCESS_END
	cmpb $0, paging_smap_on(%rip)
	je .Lno_clac\@
	clac
.Lno_clac\@:
.endm

	.text

/* size_t uaccess_copy(void *dst, const void *src, size_t n): bytes left */
	.globl uaccess_copy
uaccess_copy:
	movq %rdx, %rcx
	UACCESS_BEGIN
1:	rep movsb
	UACCESS_END
	movq %rcx, %rax
	ret
2:	UACCESS_END
	movq %rcx, %rax
	ret
	.section .extable, "a"
	.balign 8
	.quad 1b, 2b
	.previous

/* size_t uaccess_clear(void *dst, size_t n): bytes left */
	.globl uaccess_clear
uaccess_clear:
	movq %rsi, %rcx
	xorl %eax, %eax
	UACCESS_BEGIN
1:	rep stosb
	UACCESS_END
	movq %rcx, %rax
	ret
2:	UACCESS_END
	movq %rcx, %rax
	ret
	.section .extable, "a"
	.balign 8
	.quad 1b, 2b
	.previous

/*
 * long uaccess_strncpy(char *dst, const char *src, size_t max): copies
 * bytes up to and including a NUL, at most max. Returns the length without
 * the NUL, max if there was none, -EFAULT on a fault.
 */
	.globl uaccess_strncpy
uaccess_strncpy:
	xorl %eax, %eax
	UACCESS_BEGIN
3:	cmpq %rdx, %rax
	je 5f
1:	movb (%rsi,%rax), %cl
	movb %cl, (%rdi,%rax)
	incq %rax
	testb %cl, %cl
	jnz 3b
	decq %rax                       /* the NUL is not counted */
5:	UACCESS_END
	ret
2:	UACCESS_END
	movq $-EFAULT, %rax
	ret
	.section .extable, "a"
	.balign 8
	.quad 1b, 2b
	.previous
