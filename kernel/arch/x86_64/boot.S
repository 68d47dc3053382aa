/*
 * Boot entry: two ways in, one way on.
 *
 *  - PVH (Xen's HVM direct boot, used by QEMU -kernel, Firecracker, Cloud
 *    Hypervisor): the ELF note XEN_ELFNOTE_PHYS32_ENTRY names pvh_entry32;
 *    we arrive in 32-bit protected mode, paging off, EBX = physical address
 *    of struct hvm_start_info.
 *  - Multiboot2 (GRUB, BIOS or UEFI): the header below names mb2_entry32;
 *    we arrive in 32-bit protected mode, paging off, EAX = MB2 magic,
 *    EBX = physical address of the boot information.
 *
 * Both record (protocol, info pointer) and share one trampoline: build
 * early page tables, enable long mode, jump to the higher half and call
 * boot_main(protocol, info_phys) in C.
 *
 * Early page tables (replaced by the memory manager):
 *   PML4[0]   -> identity map of the low 4 GiB (so this code keeps running)
 *   PML4[256] -> the same 4 GiB at DIRECT_MAP_BASE (phys_to_virt works)
 *   PML4[511] -> PDPT[510..511]: the low 2 GiB at KERNEL_VMA (-2 GiB)
 * all with 2 MiB pages, which every long-mode CPU has.
 */
#include "kernel/arch/x86_64/layout.h"
#include "kernel/boot/multiboot2.h"
#include <xen/elfnote.h>

#define PHYS(sym) ((sym) - KERNEL_VMA)

#define BOOT_PROTO_PVH 1
#define BOOT_PROTO_MB2 2

/* ---- Multiboot2 header (spec §3.1), 8-byte aligned, in the first 32 KiB --- */
	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long 0x100000000 - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	.balign 8
	/* Entry address tag: e_entry is fine too, but say it explicitly. */
	.word MB2_HEADER_TAG_ENTRY, 0
	.long 12
	.long mb2_entry32
	.balign 8
	.word MB2_HEADER_TAG_END, 0
	.long 8
mb2_header_end:

/* ---- PVH note: 32-bit physical entry point ------------------------------- */
	.section .note.Xen, "a"
	.balign 4
	.long 4                         /* namesz: "Xen\0" */
	.long 4                         /* descsz */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.balign 4
	.long pvh_entry32

/* ---- 32-bit entries ---------------------------------------------------------- */
	.section .boot.text, "ax"
	.code32
	.globl pvh_entry32
pvh_entry32:
	cli
	cld
	movl $BOOT_PROTO_PVH, %edi
	movl %ebx, %esi
	jmp boot_common32

	.globl mb2_entry32
mb2_entry32:
	cli
	cld
	cmpl $MB2_BOOTLOADER_MAGIC, %eax
	jne boot_fail32
	movl $BOOT_PROTO_MB2, %edi
	movl %ebx, %esi
	/* fall through */

boot_common32:
	/* EDI = protocol, ESI = info pointer; both survive to boot_main. */
	movl $PHYS(boot_stack_top), %esp

	/* Long mode present? CPUID 0x80000001 EDX bit 29. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb boot_fail32
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc boot_fail32                 /* cpuid writes EAX-EDX only */
	jmp boot_tables32

boot_fail32:
	/* No long mode or a bad magic: say so on COM1 and stop. */
	movl $PHYS(boot_fail_msg), %esi
2:	lodsb
	testb %al, %al
	jz 3f
	movw $0x3f8, %dx
	outb %al, %dx
	jmp 2b
3:	cli
	hlt
	jmp 3b

boot_tables32:
	/* Zero the early tables (they are in .bss, which a loader may or may
	 * not have cleared). */
	pushl %edi
	movl $PHYS(early_pml4), %edi
	movl $(7 * 4096 / 4), %ecx
	xorl %eax, %eax
	rep stosl
	popl %edi

	/* 4 page directories: 2048 x 2 MiB pages = 4 GiB, flags P|RW|PS. */
	movl $PHYS(early_pd), %ebx
	xorl %ecx, %ecx
4:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax
	movl %eax, (%ebx, %ecx, 8)
	movl %ecx, %eax
	shrl $11, %eax                  /* high dword: (i * 2 MiB) >> 32 */
	movl %eax, 4(%ebx, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jne 4b

	/* Low PDPT: 4 entries -> the 4 PDs. */
	movl $PHYS(early_pdpt_low), %ebx
	movl $PHYS(early_pd), %eax
	orl $0x3, %eax
	movl %eax, 0(%ebx)
	addl $4096, %eax
	movl %eax, 8(%ebx)
	addl $4096, %eax
	movl %eax, 16(%ebx)
	addl $4096, %eax
	movl %eax, 24(%ebx)

	/* High PDPT: slots 510, 511 -> the first two PDs (phys 0..2 GiB). */
	movl $PHYS(early_pdpt_high), %ebx
	movl $PHYS(early_pd), %eax
	orl $0x3, %eax
	movl %eax, 510*8(%ebx)
	addl $4096, %eax
	movl %eax, 511*8(%ebx)

	movl $PHYS(early_pml4), %ebx
	movl $PHYS(early_pdpt_low), %eax
	orl $0x3, %eax
	movl %eax, 0(%ebx)
	movl %eax, 256*8(%ebx)
	movl $PHYS(early_pdpt_high), %eax
	orl $0x3, %eax
	movl %eax, 511*8(%ebx)

	/* CR4.PAE, CR3, EFER.LME, CR0.PG: long mode (SDM vol 3 §10.8.5). */
	movl %cr4, %eax
	orl $(1 << 5), %eax
	movl %eax, %cr4
	movl $PHYS(early_pml4), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $(1 << 8), %eax
	wrmsr
	movl %cr0, %eax
	orl $((1 << 31) | 1), %eax
	movl %eax, %cr0

	lgdt boot_gdt_desc
	ljmp $GDT_KCODE, $boot_entry64

	.code64
boot_entry64:
	movl $GDT_KDATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movabsq $boot_high64, %rax
	jmp *%rax

	.section .boot.data, "a"
boot_fail_msg:
	.asciz "vireo: unsupported boot (no long mode or bad magic)\r\n"
	.balign 16
boot_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff        /* 0x08: 32-bit code (unused here) */
	.quad 0x00af9a000000ffff        /* 0x10: 64-bit code */
	.quad 0x00cf92000000ffff        /* 0x18: data */
boot_gdt_end:
boot_gdt_desc:
	.word boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

/* ---- higher half ------------------------------------------------------------- */
	.text
boot_high64:
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp                 /* ends backtraces */
	/* Stack protector guard: mix the TSC in before any C code runs.
	 * RDRAND would be better but is not on every CPU model. */
	rdtsc
	shlq $32, %rdx
	orq %rdx, %rax
	movabsq $0x9e3779b97f4a7c15, %rdx
	imulq %rdx, %rax
	xorq %rax, __stack_chk_guard(%rip)
	/* EDI = protocol, ESI = info pointer (zero-extended by the 32-bit moves) */
	movl %esi, %esi
	call boot_main
5:	cli
	hlt
	jmp 5b

	.bss
	.balign 4096
	.globl boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:
	.skip BOOT_STACK_GUARD          /* left unmapped by the memory manager */
boot_stack_bottom:
	.skip BOOT_STACK_SIZE
boot_stack_top:
	.balign 4096
early_pml4:
	.skip 4096
early_pdpt_low:
	.skip 4096
early_pdpt_high:
	.skip 4096
early_pd:
	.skip 4 * 4096
