/* Kernel stacks with guard pages (see kstack.h). */
#include "kernel/mm/kstack.h"
#include "kernel/mm/internal.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/vmarea.h"
#include "kernel/mm/vmm.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/traps.h"
#include "kernel/lib/log.h"

#define KSTACK_SLOT (KSTACK_GUARD + KSTACK_SIZE)

static struct vmarea_pool kstack_pool;

extern char boot_stack_guard[], boot_stack_bottom[], boot_stack_top[];

void kstack_init(void)
{
	if (vmarea_pool_init(&kstack_pool, KSTACK_AREA_BASE, KSTACK_AREA_SIZE))
		panic("mm: no memory for the kernel stack pool");
}

void *kstack_alloc(void)
{
	uintptr_t slot = vmarea_alloc(&kstack_pool, KSTACK_SLOT, KSTACK_SLOT);
	uintptr_t stack = slot + KSTACK_GUARD;

	if (!slot)
		return NULL;
	/* Frame by frame: a stack needs no contiguous memory. The mapping
	 * owns the frames, so unmapping frees them. */
	for (size_t off = 0; off < KSTACK_SIZE; off += PAGE_SIZE) {
		phys_addr_t pa = pmm_alloc(0);

		if (!pa)
			goto out_unmap;
		if (vmm_map(&kernel_as, stack + off, pa, PAGE_SIZE,
			    VM_READ | VM_WRITE | VM_OWNED)) {
			pmm_free(pa, 0);
			goto out_unmap;
		}
	}
	return (void *)stack;

out_unmap:
	vmm_unmap(&kernel_as, stack, KSTACK_SIZE);
	vmarea_free(&kstack_pool, slot);
	return NULL;
}

void kstack_free(void *stack)
{
	uintptr_t slot = (uintptr_t)stack - KSTACK_GUARD;
	size_t size;

	if (!stack)
		return;
	if (vmarea_find(&kstack_pool, slot, &size) != slot) {
		pr_err("kstack: BUG: freeing %p, which is not a kernel stack\n", stack);
		backtrace_print(&log_sink, (u64)__builtin_frame_address(0));
		return;
	}
	vmm_unmap(&kernel_as, (uintptr_t)stack, KSTACK_SIZE);
	vmarea_free(&kstack_pool, slot);
}

bool kstack_guard_hit(u64 addr, u64 *stack_lo, u64 *stack_hi)
{
	u64 off = addr - KSTACK_AREA_BASE;

	/* Lock-free, for the trap path: any address in a guard band of the
	 * area counts, allocated slot or not. */
	if (addr >= KSTACK_AREA_BASE && off < KSTACK_AREA_SIZE &&
	    off % KSTACK_SLOT < KSTACK_GUARD) {
		*stack_lo = addr - off % KSTACK_SLOT + KSTACK_GUARD;
		*stack_hi = *stack_lo + KSTACK_SIZE;
		return true;
	}
	if (addr >= (u64)boot_stack_guard && addr < (u64)boot_stack_bottom) {
		*stack_lo = (u64)boot_stack_bottom;
		*stack_hi = (u64)boot_stack_top;
		return true;
	}
	return false;
}
