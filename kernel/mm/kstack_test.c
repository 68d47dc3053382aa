/*
 * Kernel stacks: usable, freed without leaks, and an overflow into the
 * guard is caught on the double-fault IST stack and reported as a stack
 * overflow instead of silently corrupting memory below.
 */
#include "kernel/test/ktest.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/kstack.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/vmm.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/traps.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"

static char report[4096];

/* Call fn(arg) with the stack pointer at top; back on our stack after. */
static void run_on_stack(void *top, void (*fn)(void *), void *arg)
{
	__asm__ __volatile__("movq %%rsp, %%rbx\n\t"
			     "movq %[top], %%rsp\n\t"
			     "callq *%[fn]\n\t"
			     "movq %%rbx, %%rsp"
			     : "+D"(arg)
			     : [top] "r"(top), [fn] "r"(fn)
			     : "rax", "rbx", "rcx", "rdx", "rsi", "r8", "r9", "r10",
			       "r11", "memory", "cc");
}

struct stack_job {
	u8 *stack;
	u64 depth;
	u64 lowest;                     /* lowest frame address reached */
};

static __noinline u64 recurse(struct stack_job *job)
{
	volatile u8 pad[256];

	pad[0] = (u8)job->depth;
	job->lowest = (u64)pad;
	if (++job->depth > 1000000)     /* never: the guard stops it first */
		return 0;
	return recurse(job) + pad[0];
}

static void fill_and_sum(void *arg)
{
	struct stack_job *job = arg;
	volatile u8 buf[KSTACK_SIZE / 2];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)i;
	job->depth = buf[100] + buf[sizeof(buf) - 1];
	job->lowest = (u64)buf;
}

static void overflow(void *arg)
{
	recurse(arg);
}

static void on_kstack(void *arg)
{
	struct stack_job *job = arg;

	run_on_stack(job->stack + KSTACK_SIZE,
		     job->depth ? overflow : fill_and_sum, job);
}

KTEST(mm_kstack_usable_and_freed)
{
	struct stack_job job = { 0 };
	struct trap_catch tc;
	void *second;
	u64 base, lo, hi;

	kmalloc_shrink();
	base = pmm_free_count();
	job.stack = kstack_alloc();
	second = kstack_alloc();
	KT_ASSERT(job.stack && second);
	KT_ASSERT(second != job.stack);
	KT_ASSERT_EQ((uintptr_t)job.stack % PAGE_SIZE, 0);
	KT_ASSERT_EQ(trap_catch_call(&tc, report, sizeof(report), on_kstack, &job), 0);
	KT_ASSERT_EQ(job.depth, 100 + (u8)(KSTACK_SIZE / 2 - 1));
	KT_ASSERT(job.lowest >= (u64)job.stack && job.lowest < (u64)job.stack + KSTACK_SIZE);
	/* The page below the stack is the guard; the stack itself is not. */
	KT_ASSERT(kstack_guard_hit((u64)job.stack - 1, &lo, &hi));
	KT_ASSERT_EQ(lo, (u64)job.stack);
	KT_ASSERT_EQ(hi, (u64)job.stack + KSTACK_SIZE);
	KT_ASSERT(!kstack_guard_hit((u64)job.stack, &lo, &hi));
	KT_ASSERT_EQ(vmm_query(&kernel_as, (uintptr_t)job.stack - 1, NULL, NULL), -ENOENT);
	kstack_free(job.stack);
	kstack_free(second);
	kmalloc_shrink();
	KT_ASSERT_EQ(pmm_free_count(), base);
	KT_ASSERT_EQ(vmm_query(&kernel_as, (uintptr_t)job.stack, NULL, NULL), -ENOENT);
}

/*
 * Recurse on a fresh kernel stack until it runs into its guard. The #PF
 * cannot push its frame there, so the CPU raises #DF on IST1; the handler
 * recognizes the guard, names the overflow, and (because this test runs
 * inside trap_catch_call on another stack) unwinds back here.
 */
KTEST(mm_kstack_overflow_caught)
{
	struct stack_job job = { .stack = kstack_alloc(), .depth = 1 };
	struct trap_catch tc;
	char want[96];
	int r;

	KT_ASSERT(job.stack != NULL);
	r = trap_catch_call(&tc, report, sizeof(report), on_kstack, &job);
	KT_ASSERT(r == X86_TRAP_DF + 1 || r == X86_TRAP_PF + 1);
	ksnprintf(want, sizeof(want), "kernel stack overflow: ");
	KT_ASSERT_STR_CONTAINS(report, want);
	ksnprintf(want, sizeof(want), "the stack [%#lx-%#lx]",
		  (unsigned long)job.stack, (unsigned long)(job.stack + KSTACK_SIZE - 1));
	KT_ASSERT_STR_CONTAINS(report, want);
	KT_ASSERT_STR_CONTAINS(report, "RIP 0010:");
	KT_ASSERT_STR_CONTAINS(report, " recurse");      /* GCC may call it recurse.isra.0 */
	/* It went all the way down: about 16 KiB of frames. */
	KT_ASSERT(job.lowest < (u64)job.stack + 512);
	KT_ASSERT(job.depth > KSTACK_SIZE / 512);
	/* The stack is intact and can be freed and reused. */
	kstack_free(job.stack);
	job.stack = kstack_alloc();
	job.depth = 0;
	KT_ASSERT(job.stack != NULL);
	KT_ASSERT_EQ(trap_catch_call(&tc, report, sizeof(report), on_kstack, &job), 0);
	kstack_free(job.stack);
}

/* The boot stack (which runs kmain and these tests) has a guard too; the
 * catch point is higher up on the same stack, which is intact. */
KTEST(mm_boot_stack_overflow_caught)
{
	extern char boot_stack_bottom[], boot_stack_top[];
	struct stack_job job = { .depth = 1 };
	struct trap_catch tc;
	char want[96];
	u64 here = (u64)__builtin_frame_address(0);
	int r;

	KT_ASSERT(here > (u64)boot_stack_bottom && here < (u64)boot_stack_top);
	r = trap_catch_call(&tc, report, sizeof(report), overflow, &job);
	KT_ASSERT(r == X86_TRAP_DF + 1 || r == X86_TRAP_PF + 1);
	ksnprintf(want, sizeof(want), "the stack [%#lx-%#lx]",
		  (unsigned long)boot_stack_bottom, (unsigned long)boot_stack_top - 1);
	KT_ASSERT_STR_CONTAINS(report, "kernel stack overflow: ");
	KT_ASSERT_STR_CONTAINS(report, want);
	KT_ASSERT(job.lowest < (u64)boot_stack_bottom + 512);
}

/* Outside any catch an overflow is fatal: the report names it, then the
 * kernel panics. tests/run.py can boot test=mm_kstack_overflow_panics and
 * look for "kernel stack overflow" before "Kernel panic". */
KTEST_FATAL(mm_kstack_overflow_panics)
{
	struct stack_job job = { .stack = kstack_alloc(), .depth = 1 };

	KT_ASSERT(job.stack != NULL);
	on_kstack(&job);
}

KTEST(mm_kstack_free_rejects_strangers)
{
	u64 base = pmm_free_count();
	u8 local;

	kstack_free(&local);
	kstack_free((void *)(KSTACK_AREA_BASE + 12345 * 32768 + KSTACK_GUARD));
	KT_ASSERT_EQ(pmm_free_count(), base);
}
