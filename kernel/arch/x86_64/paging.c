/* Paging features and per-CPU protection bits (see paging.h). */
#include "kernel/arch/x86_64/paging.h"
#include "kernel/arch/x86_64/x86.h"

struct paging_features paging_cpu;
u8 paging_smap_on;

void paging_detect(void)
{
	u32 a, b, c, d;

	cpuid(0, 0, &a, &b, &c, &d);
	if (a >= 7) {
		cpuid(7, 0, &a, &b, &c, &d);
		paging_cpu.smep = b & (1u << 7);
		paging_cpu.smap = b & (1u << 20);
	}
	cpuid(1, 0, &a, &b, &c, &d);
	paging_cpu.pge = d & (1u << 13);
	cpuid(0x80000000, 0, &a, &b, &c, &d);
	if (a >= 0x80000001) {
		cpuid(0x80000001, 0, &a, &b, &c, &d);
		paging_cpu.nx = d & (1u << 20);
		paging_cpu.gbpages = d & (1u << 26);
	}
	paging_cpu.phys_bits = 36;              /* SDM: the default without the leaf */
	cpuid(0x80000000, 0, &a, &b, &c, &d);
	if (a >= 0x80000008) {
		cpuid(0x80000008, 0, &a, &b, &c, &d);
		paging_cpu.phys_bits = a & 0xff;
	}
}

void paging_cpu_enable(void)
{
	u64 cr4 = read_cr4();

	if (paging_cpu.nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	/* Ring 0 honours read-only pages only with WP set. */
	write_cr0(read_cr0() | X86_CR0_WP);
	if (paging_cpu.pge)
		cr4 |= X86_CR4_PGE;
	if (paging_cpu.smep)
		cr4 |= X86_CR4_SMEP;
	if (paging_cpu.smap)
		cr4 |= X86_CR4_SMAP;
	write_cr4(cr4);
	paging_smap_on = paging_cpu.smap;
}
