/*
 * GDT, TSS and GS base for a CPU. Selector order is Linux's (layout.h), so
 * SYSCALL/SYSRET can use their fixed offsets later.
 */
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/fpu.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/user.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/lib/string.h"

#define MSR_GS_BASE        0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

/* Descriptor encodings (SDM vol 3 §3.4.5): flat segments, L for 64-bit. */
#define SEG_KCODE32 0x00cf9a000000ffffULL
#define SEG_KCODE64 0x00af9a000000ffffULL
#define SEG_KDATA   0x00cf92000000ffffULL
#define SEG_UCODE32 0x00cffa000000ffffULL
#define SEG_UDATA   0x00cff2000000ffffULL
#define SEG_UCODE64 0x00affa000000ffffULL

static struct cpu boot_cpu;
static u8 boot_ist_stacks[3][IST_STACK_SIZE] __aligned(16);

static void tss_descriptor(u64 *d, const struct tss *tss)
{
	u64 base = (u64)tss, limit = sizeof(*tss) - 1;

	/* 16-byte system descriptor, type 9 (available 64-bit TSS), present. */
	d[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
	       (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	d[1] = base >> 32;
}

static void cpu_load_tables(struct cpu *c)
{
	struct {
		u16 limit;
		u64 base;
	} __packed gdtr = { sizeof(c->gdt) - 1, (u64)c->gdt };

	c->gdt[0] = 0;
	c->gdt[GDT_KCODE32 / 8] = SEG_KCODE32;
	c->gdt[GDT_KCODE / 8] = SEG_KCODE64;
	c->gdt[GDT_KDATA / 8] = SEG_KDATA;
	c->gdt[GDT_UCODE32 / 8] = SEG_UCODE32;
	c->gdt[GDT_UDATA / 8] = SEG_UDATA;
	c->gdt[GDT_UCODE / 8] = SEG_UCODE64;
	c->gdt[7] = 0;
	tss_descriptor(&c->gdt[GDT_TSS / 8], &c->tss);

	c->tss.iomap_base = sizeof(c->tss);     /* no I/O bitmap */
	for (int i = 1; i <= 3; i++)
		c->tss.ist[i - 1] = (u64)c->ist_stacks[i];

	__asm__ __volatile__(
		"lgdt %0\n\t"
		/* Reload CS with a far return, then the data segments. */
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movl %2, %%eax\n\t"
		"movl %%eax, %%ds\n\t"
		"movl %%eax, %%es\n\t"
		"movl %%eax, %%ss\n\t"
		"xorl %%eax, %%eax\n\t"
		"movl %%eax, %%fs\n\t"
		"movl %%eax, %%gs\n\t"
		"ltr %w3\n\t"
		: : "m"(gdtr), "i"(GDT_KCODE), "i"(GDT_KDATA), "r"(GDT_TSS)
		: "rax", "memory");

	/* Loading %gs cleared the GS base; set it after. */
	c->self = c;
	wrmsr(MSR_GS_BASE, (u64)c);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	fpu_cpu_init();
	syscall_cpu_init();
}

void cpu_secondary_init(struct cpu *c)
{
	cpu_load_tables(c);
	idt_load();
}

void cpu_early_init(void)
{
	struct cpu *c = &boot_cpu;

	c->id = 0;
	for (int i = 1; i <= 3; i++)
		c->ist_stacks[i] = boot_ist_stacks[i - 1] + IST_STACK_SIZE;
	cpu_load_tables(c);
	idt_load();
	cpu_set_online(c);
}
