/* Between the memory manager's own files; nothing else includes this. */
#ifndef VIREO_MM_INTERNAL_H
#define VIREO_MM_INTERNAL_H

#include "kernel/mm/bootmem.h"

/* Build kernel_as: the kernel image with section permissions and the
 * direct map, page tables taken from bm below 4 GiB. Panics if it cannot
 * (there is no running without them). */
void vmm_init_kernel(struct bootmem *bm);
/* From now on page tables come from pmm and kernel_as's top-level kernel
 * entries are fixed. */
void vmm_boot_done(void);

/* Choose the SMP trampoline page, then reserve the first MiB. */
void pmm_reserve_low(struct bootmem *bm);
/* Frame descriptors and the buddy allocator, from what bootmem left. */
void pmm_init(struct bootmem *bm);

void kmalloc_init(bool debug);
void kstack_init(void);
void ioremap_init(void);

#endif
