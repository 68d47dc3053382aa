/* Virtual address layout; usable from C and assembly. */
#ifndef VIREO_ARCH_LAYOUT_H
#define VIREO_ARCH_LAYOUT_H

/* Kernel image: physical KERNEL_PHYS, mapped at KERNEL_VMA + physical. */
#define KERNEL_VMA        0xffffffff80000000
#define KERNEL_PHYS       0x100000
/*
 * The kernel half starts at PML4 slot 256; every address space shares it.
 *   DIRECT_MAP_BASE   all RAM (and the firmware's ACPI/NVS/reserved regions
 *                     below 4 GiB) at DIRECT_MAP_BASE + physical, 16 TiB
 *   KSTACK_AREA_BASE  kernel stacks: slots of guard + stack (kernel/mm/kstack.c)
 *   IOREMAP_BASE      ioremap() windows (kernel/mm/ioremap.c)
 *   KERNEL_VMA        the kernel image, -2 GiB
 * The user half is [0, USER_END); the last page below the non-canonical
 * hole is left out, as on Linux, so no user address is next to it.
 */
#define KERNEL_HALF_BASE  0xffff800000000000
#define DIRECT_MAP_BASE   0xffff800000000000
#define DIRECT_MAP_SIZE   (1ULL << 44)
#define KSTACK_AREA_BASE  0xffffc00000000000
#define KSTACK_AREA_SIZE  (1ULL << 38)
#define IOREMAP_BASE      0xffffc04000000000
#define IOREMAP_SIZE      (1ULL << 38)
#define USER_END          0x00007ffffffff000

#define PAGE_SIZE         4096
#define PAGE_SHIFT        12

#define BOOT_STACK_SIZE   16384
/* An unmapped page below the boot stack catches its overflow. */
#define BOOT_STACK_GUARD  PAGE_SIZE

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
