/*
 * x86-64 4-level paging: entry format, TLB instructions, and the CPU's
 * paging features. Intel SDM vol 3 §4.5 (4-level paging), tables 4-14
 * to 4-20 for the entry formats; AMD APM vol 2 §5.3.
 */
#ifndef VIREO_ARCH_PAGING_H
#define VIREO_ARCH_PAGING_H

#include "kernel/lib/types.h"

#define PTE_P     (1ULL << 0)   /* present */
#define PTE_W     (1ULL << 1)   /* writable */
#define PTE_U     (1ULL << 2)   /* user accessible */
#define PTE_PWT   (1ULL << 3)   /* write-through */
#define PTE_PCD   (1ULL << 4)   /* cache disable; PCD|PWT = PAT entry 3, UC */
#define PTE_A     (1ULL << 5)   /* accessed */
#define PTE_D     (1ULL << 6)   /* dirty (leaf) */
#define PTE_PS    (1ULL << 7)   /* page size: 1 GiB in a PDPTE, 2 MiB in a PDE */
#define PTE_G     (1ULL << 8)   /* global: survives CR3 loads (CR4.PGE) */
#define PTE_OWNED (1ULL << 9)   /* software (ignored bit): the address space
				   owns the frame and frees it on unmap */
#define PTE_LARGE_PAT (1ULL << 12) /* PAT bit of a 2 MiB / 1 GiB entry */
#define PTE_NX    (1ULL << 63)  /* no execute (EFER.NXE) */
#define PTE_ADDR  0x000ffffffffff000ULL

#define PT_ENTRIES 512
#define PT_LEVELS  4            /* 4 = PML4, 3 = PDPT, 2 = PD, 1 = PT */

/* Bytes one entry at `level` maps: 4 KiB, 2 MiB, 1 GiB, 512 GiB. */
#define PT_LEVEL_SHIFT(level) (12 + 9 * ((level) - 1))
#define PT_LEVEL_SIZE(level)  (1ULL << PT_LEVEL_SHIFT(level))
#define PT_INDEX(va, level)   (((va) >> PT_LEVEL_SHIFT(level)) & (PT_ENTRIES - 1))

#define X86_CR0_WP   (1ULL << 16)
#define X86_CR4_PGE  (1ULL << 7)
#define X86_CR4_SMEP (1ULL << 20)
#define X86_CR4_SMAP (1ULL << 21)
#define MSR_EFER     0xc0000080
#define EFER_NXE     (1ULL << 11)

/* What the boot CPU supports; every CPU of a VM has the same. */
struct paging_features {
	bool nx;        /* CPUID 0x80000001 EDX[20] */
	bool gbpages;   /* CPUID 0x80000001 EDX[26], pdpe1gb */
	bool pge;       /* CPUID 1 EDX[13] */
	bool smep;      /* CPUID 7.0 EBX[7] */
	bool smap;      /* CPUID 7.0 EBX[20] */
	u32 phys_bits;  /* CPUID 0x80000008 EAX[7:0] */
};
extern struct paging_features paging_cpu;

/* Nonzero once SMAP is on: usercopy.S and trap entry execute stac/clac
 * only then (they are #UD on a CPU without SMAP). */
extern u8 paging_smap_on;

/* Fill paging_cpu from CPUID (boot CPU, once). */
void paging_detect(void);
/* Turn on the boot CPU's protections: EFER.NXE, CR0.WP, CR4.PGE,
 * CR4.SMEP, CR4.SMAP, each where the CPU has it. Safe under any page
 * tables whose entries have no U bit (such as boot.S's). Other CPUs copy
 * the boot CPU's control registers (smp.c). */
void paging_cpu_enable(void);

#endif
