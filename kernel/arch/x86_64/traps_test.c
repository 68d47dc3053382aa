/*
 * Exception handling tests: provoke #UD, #PF, #DE and #BP in a controlled
 * way and check the handler's report, not just that something happened.
 */
#include "kernel/test/ktest.h"
#include "kernel/arch/x86_64/traps.h"
#include "kernel/lib/err.h"
#include "kernel/lib/log.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/sched/kthread.h"

static char report[4096];

static __noinline void ktest_ud_site(void *arg)
{
	__asm__ __volatile__("ud2");
}

KTEST(trap_ud_report)
{
	struct trap_catch tc;
	int r = trap_catch_call(&tc, report, sizeof(report), ktest_ud_site, NULL);
	u64 off;

	KT_ASSERT_EQ(r, X86_TRAP_UD + 1);
	KT_ASSERT_EQ(tc.vector, X86_TRAP_UD);
	/* The faulting RIP is inside the function that executed ud2. */
	KT_ASSERT(ksym_lookup(tc.rip, &off, NULL) &&
		  !strcmp(ksym_lookup(tc.rip, &off, NULL), "ktest_ud_site"));
	KT_ASSERT_STR_CONTAINS(report, "#UD invalid opcode (vector 6)");
	KT_ASSERT_STR_CONTAINS(report, "RIP 0010:");
	KT_ASSERT_STR_CONTAINS(report, "ktest_ud_site+0x");
	/* The backtrace walks up through the catcher to this test. */
	KT_ASSERT_STR_CONTAINS(report, "Call trace:");
	KT_ASSERT_STR_CONTAINS(report, "trap_catch_call+0x");
	KT_ASSERT_STR_CONTAINS(report, "ktest_fn_trap_ud_report+0x");
}

/* A low-half address outside the early identity map: not present. */
#define PF_ADDR 0x0000123456789abcUL

static __noinline void ktest_pf_site(void *arg)
{
	*(volatile u64 *)PF_ADDR = 0x1234;
}

KTEST(trap_pf_report)
{
	struct trap_catch tc;
	char want[64];
	int r = trap_catch_call(&tc, report, sizeof(report), ktest_pf_site, NULL);

	KT_ASSERT_EQ(r, X86_TRAP_PF + 1);
	KT_ASSERT_EQ(tc.cr2, PF_ADDR);
	/* Not present, write, supervisor. */
	KT_ASSERT_EQ(tc.error & (PF_PRESENT | PF_WRITE | PF_USER), PF_WRITE);
	KT_ASSERT_STR_CONTAINS(report, "#PF page fault (vector 14)");
	KT_ASSERT_STR_CONTAINS(report, "(not-present write kernel)");
	ksnprintf(want, sizeof(want), "CR2 %#018lx", PF_ADDR);
	KT_ASSERT_STR_CONTAINS(report, want);
	KT_ASSERT_STR_CONTAINS(report, "ktest_pf_site+0x");
	KT_ASSERT_STR_CONTAINS(report, "ktest_fn_trap_pf_report+0x");
}

static __noinline void ktest_de_site(void *arg)
{
	volatile unsigned zero = 0;
	volatile unsigned x = 10 / zero;

	(void)x;
}

KTEST(trap_de_report)
{
	struct trap_catch tc;
	int r = trap_catch_call(&tc, report, sizeof(report), ktest_de_site, NULL);

	KT_ASSERT_EQ(r, X86_TRAP_DE + 1);
	KT_ASSERT_STR_CONTAINS(report, "#DE divide error");
	KT_ASSERT_STR_CONTAINS(report, "ktest_de_site+0x");
}

/* Registers in the report are the ones at the fault, not the handler's. */
static __noinline void ktest_regs_site(void *arg)
{
	__asm__ __volatile__("movabs $0x1122334455667788, %%rbx\n\t"
			     "movabs $0x0badc0de0badc0de, %%r12\n\t"
			     "ud2" : : : "rbx", "r12");
}

KTEST(trap_report_registers)
{
	struct trap_catch tc;

	KT_ASSERT(trap_catch_call(&tc, report, sizeof(report), ktest_regs_site, NULL));
	KT_ASSERT_STR_CONTAINS(report, "RBX 1122334455667788");
	KT_ASSERT_STR_CONTAINS(report, "R12 0badc0de0badc0de");
}

/* A trap caught inside a catch nests: the inner one sees it, the outer
 * catch is intact and still works afterwards. */
static __noinline void ktest_nested_site(void *arg)
{
	struct trap_catch inner;
	int *r = arg;

	*r = trap_catch_call(&inner, NULL, 0, ktest_ud_site, NULL);
	__asm__ __volatile__("int3");
}

KTEST(trap_catch_nests)
{
	struct trap_catch outer;
	int inner_r = 0;
	int r = trap_catch_call(&outer, report, sizeof(report), ktest_nested_site, &inner_r);

	KT_ASSERT_EQ(inner_r, X86_TRAP_UD + 1);
	KT_ASSERT_EQ(r, X86_TRAP_BP + 1);
	KT_ASSERT_STR_CONTAINS(report, "#BP breakpoint");
}

/* The exception table resumes a faulting access at its fixup. */
KTEST(extable_read_nofault)
{
	u64 v = 0x5555, here = 42;

	KT_ASSERT_EQ(read_u64_nofault((const u64 *)PF_ADDR, &v), -14);
	KT_ASSERT_EQ(v, 0x5555);
	KT_ASSERT_EQ(read_u64_nofault(&here, &v), 0);
	KT_ASSERT_EQ(v, 42);
}

KTEST(ksyms_lookup_names_functions)
{
	u64 off = 1, size = 0;
	const char *n = ksym_lookup((u64)ktest_pf_site, &off, &size);

	KT_ASSERT(n && !strcmp(n, "ktest_pf_site"));
	KT_ASSERT_EQ(off, 0);
	KT_ASSERT(size > 0 && size < 256);
	KT_ASSERT(ksym_lookup(0x1000, NULL, NULL) == NULL);
}

/* Deliberate panic through a known call chain; tests/integration checks
 * that the backtrace names each function, innermost first. */
static __noinline void panic_chain_c(int depth)
{
	panic("ktest: deliberate panic at depth %d", depth);
}

static __noinline void panic_chain_b(int depth)
{
	panic_chain_c(depth + 1);
	barrier();
}

static __noinline void panic_chain_a(int depth)
{
	panic_chain_b(depth + 1);
	barrier();
}

KTEST_FATAL(panic_backtrace)
{
	panic_chain_a(1);
}

/* An exception outside any catch is fatal: report, then panic. */
KTEST_FATAL(panic_on_kernel_fault)
{
	ktest_pf_site(NULL);
}

/*
 * A catch belongs to the task that set it, not to the CPU it ran on. Two
 * threads on one CPU: the first sets a catch and sleeps, the second sets
 * its own (nested, on a per-CPU list, inside the first's) and sleeps
 * longer; the first returns normally meanwhile, then the second faults.
 * With per-CPU state the first's return would have removed the second's
 * catch too and the fault would have been fatal.
 */
struct catch_pair {
	u64 sleep_ms;
	bool fault;
	int result;
	u64 cr2;
};

static void catch_pair_body(void *arg)
{
	struct catch_pair *p = arg;

	msleep(p->sleep_ms);
	if (p->fault)
		ktest_pf_site(NULL);
}

static void catch_pair_thread(void *arg)
{
	struct catch_pair *p = arg;
	struct trap_catch tc;

	p->result = trap_catch_call(&tc, NULL, 0, catch_pair_body, p);
	p->cr2 = tc.cr2;
}

KTEST(trap_catch_is_per_task)
{
	struct catch_pair first = { .sleep_ms = 10 }, second = { .sleep_ms = 40, .fault = true };
	struct task *a = kthread_create(catch_pair_thread, &first, "catch-a", 0);
	struct task *b;

	KT_ASSERT(!IS_ERR(a));
	b = kthread_create(catch_pair_thread, &second, "catch-b", 0);
	if (IS_ERR(b))
		kthread_join(a);
	KT_ASSERT(!IS_ERR(b));
	kthread_join(a);
	kthread_join(b);
	KT_ASSERT_EQ(first.result, 0);
	KT_ASSERT_EQ(second.result, X86_TRAP_PF + 1);
	KT_ASSERT_EQ(second.cr2, PF_ADDR);
}
