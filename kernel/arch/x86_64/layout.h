/* Virtual address layout; usable from C and assembly. */
#ifndef VIREO_ARCH_LAYOUT_H
#define VIREO_ARCH_LAYOUT_H

/* Kernel image: physical KERNEL_PHYS, mapped at KERNEL_VMA + physical. */
#define KERNEL_VMA        0xffffffff80000000
#define KERNEL_PHYS       0x100000
/* All physical memory is mapped from here (PML4 slot 256). */
#define DIRECT_MAP_BASE   0xffff800000000000

#define PAGE_SIZE         4096
#define PAGE_SHIFT        12

#define BOOT_STACK_SIZE   16384

/* GDT selectors, in Linux's order so that SYSRET's fixed offsets work:
 * STAR[63:48]+16 = user CS, +8 = user SS. */
#define GDT_KCODE32       0x08
#define GDT_KCODE         0x10
#define GDT_KDATA         0x18
#define GDT_UCODE32       0x23
#define GDT_UDATA         0x2b
#define GDT_UCODE         0x33
#define GDT_TSS           0x40

#ifndef __ASSEMBLY__
#include "kernel/lib/types.h"

static inline void *phys_to_virt(phys_addr_t p)
{
	return (void *)(p + DIRECT_MAP_BASE);
}

static inline phys_addr_t virt_to_phys(const void *v)
{
	uintptr_t a = (uintptr_t)v;

	if (a >= KERNEL_VMA)
		return a - KERNEL_VMA;
	return a - DIRECT_MAP_BASE;
}
#endif

#endif
