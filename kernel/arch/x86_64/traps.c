/*
 * CPU exceptions: the C side of trap_entry.S.
 *
 * A kernel-mode exception is, in order of preference:
 *  1. fixed up through the exception table (an instruction that is allowed
 *     to fault, such as a user copy), or
 *  2. caught by an active trap_catch of the running task (in-kernel tests that
 *     provoke exceptions on purpose), which gets the full report, or
 *  3. fatal: report (name, error code, CR2, registers, symbolized trace)
 *     and panic, which stops every CPU.
 */
#include "kernel/arch/x86_64/traps.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/irq.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/lib/log.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kstack.h"
#include "kernel/proc/proc.h"
#include "kernel/sched/sched.h"

static const char *const trap_names[32] = {
	[0] = "#DE divide error",
	[1] = "#DB debug",
	[2] = "NMI",
	[3] = "#BP breakpoint",
	[4] = "#OF overflow",
	[5] = "#BR bound range exceeded",
	[6] = "#UD invalid opcode",
	[7] = "#NM device not available",
	[8] = "#DF double fault",
	[9] = "coprocessor segment overrun",
	[10] = "#TS invalid TSS",
	[11] = "#NP segment not present",
	[12] = "#SS stack-segment fault",
	[13] = "#GP general protection",
	[14] = "#PF page fault",
	[16] = "#MF x87 floating-point error",
	[17] = "#AC alignment check",
	[18] = "#MC machine check",
	[19] = "#XM SIMD floating-point",
	[20] = "#VE virtualization exception",
	[21] = "#CP control protection",
	[28] = "#HV hypervisor injection",
	[29] = "#VC VMM communication",
	[30] = "#SX security exception",
};

const char *trap_name(unsigned vector)
{
	if (vector < 32 && trap_names[vector])
		return trap_names[vector];
	return vector < 32 ? "reserved exception" : "interrupt";
}

/* ---- report sinks ---------------------------------------------------------- */

void sink_printf(struct report_sink *s, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->line(s, line);
}

static void log_sink_line(struct report_sink *s, const char *text)
{
	pr_emerg("%s\n", text);
}

struct report_sink log_sink = { .line = log_sink_line };

/* A trap_catch collects the report in its buffer. */
struct catch_sink {
	struct report_sink sink;
	struct trap_catch *tc;
};

static void catch_sink_line(struct report_sink *s, const char *text)
{
	struct trap_catch *tc = container_of(s, struct catch_sink, sink)->tc;
	size_t n = strlen(text);

	if (!tc->report || tc->report_len + n + 2 > tc->report_size)
		return;
	memcpy(tc->report + tc->report_len, text, n);
	tc->report_len += n;
	tc->report[tc->report_len++] = '\n';
	tc->report[tc->report_len] = '\0';
}

/* ---- the report -------------------------------------------------------------- */

static void pf_describe(char *buf, size_t size, u64 err)
{
	ksnprintf(buf, size, "%s %s %s%s",
		  (err & PF_PRESENT) ? "protection-violation" : "not-present",
		  (err & PF_INSTR) ? "instruction-fetch" :
		  (err & PF_WRITE) ? "write" : "read",
		  (err & PF_USER) ? "user" : "kernel",
		  (err & PF_RSVD) ? " reserved-bit" : "");
}

/*
 * A kernel stack overflow: a #PF in a stack's guard, or the #DF the CPU
 * raises when it cannot push the #PF frame because the stack pointer is in
 * the guard (then RSP says so; CR2 still holds the #PF's address).
 */
static bool trap_stack_overflow(const struct trap_frame *f, u64 cr2, u64 *at,
				u64 *lo, u64 *hi)
{
	if ((f->cs & 3) || (f->vector != X86_TRAP_PF && f->vector != X86_TRAP_DF))
		return false;
	if (kstack_guard_hit(cr2, lo, hi)) {
		*at = cr2;
		return true;
	}
	*at = f->rsp - 8;
	return f->vector == X86_TRAP_DF && kstack_guard_hit(*at, lo, hi);
}

void trap_report(struct report_sink *s, const struct trap_frame *f, u64 cr2)
{
	char sym[128];
	struct cpu *c = this_cpu();
	u64 at, lo, hi;

	sink_printf(s, "------------[ cpu %u: %s (vector %lu) ]------------",
		    c ? c->id : 0, trap_name((unsigned)f->vector),
		    (unsigned long)f->vector);
	if (trap_stack_overflow(f, cr2, &at, &lo, &hi))
		sink_printf(s, "kernel stack overflow: %#lx is in the guard below the stack [%#lx-%#lx]",
			    (unsigned long)at, (unsigned long)lo, (unsigned long)(hi - 1));
	if (f->vector == X86_TRAP_PF) {
		pf_describe(sym, sizeof(sym), f->error);
		sink_printf(s, "error code %#lx (%s)", (unsigned long)f->error, sym);
		sink_printf(s, "CR2 %#018lx (faulting address)", (unsigned long)cr2);
	} else if (f->vector == X86_TRAP_DF) {
		sink_printf(s, "error code %#lx", (unsigned long)f->error);
		sink_printf(s, "CR2 %#018lx (last page fault)", (unsigned long)cr2);
	} else {
		sink_printf(s, "error code %#lx", (unsigned long)f->error);
	}
	ksym_format(f->rip, sym, sizeof(sym));
	sink_printf(s, "RIP %04lx:%016lx %s", (unsigned long)f->cs,
		    (unsigned long)f->rip, sym);
	sink_printf(s, "RSP %04lx:%016lx RFLAGS %08lx", (unsigned long)f->ss,
		    (unsigned long)f->rsp, (unsigned long)f->rflags);
	sink_printf(s, "RAX %016lx RBX %016lx RCX %016lx",
		    (unsigned long)f->rax, (unsigned long)f->rbx, (unsigned long)f->rcx);
	sink_printf(s, "RDX %016lx RSI %016lx RDI %016lx",
		    (unsigned long)f->rdx, (unsigned long)f->rsi, (unsigned long)f->rdi);
	sink_printf(s, "RBP %016lx R8  %016lx R9  %016lx",
		    (unsigned long)f->rbp, (unsigned long)f->r8, (unsigned long)f->r9);
	sink_printf(s, "R10 %016lx R11 %016lx R12 %016lx",
		    (unsigned long)f->r10, (unsigned long)f->r11, (unsigned long)f->r12);
	sink_printf(s, "R13 %016lx R14 %016lx R15 %016lx",
		    (unsigned long)f->r13, (unsigned long)f->r14, (unsigned long)f->r15);
	sink_printf(s, "CR0 %016lx CR3 %016lx CR4 %016lx",
		    (unsigned long)read_cr0(), (unsigned long)read_cr3(),
		    (unsigned long)read_cr4());
	backtrace_print_trap(s, f->rip, f->rsp, f->rbp);
}

/* ---- exception table ------------------------------------------------------------ */

extern const struct extable_entry __extable_start[], __extable_end[];

const struct extable_entry *extable_find(u64 rip)
{
	for (const struct extable_entry *e = __extable_start; e < __extable_end; e++)
		if (e->insn == rip)
			return e;
	return NULL;
}

/* ---- trap catching ------------------------------------------------------------------ */

int trap_catch_call(struct trap_catch *tc, char *report, size_t size,
		    void (*fn)(void *), void *arg)
{
	struct task *t = current_task();
	int trapped;

	memset(tc, 0, sizeof(*tc));
	tc->report = report;
	tc->report_size = size;
	if (report && size)
		report[0] = '\0';
	tc->prev = t->trap_catch;
	t->trap_catch = tc;
	trapped = ksetjmp(&tc->jb);
	if (!trapped)
		fn(arg);
	t->trap_catch = tc->prev;
	return trapped ? (int)tc->vector + 1 : 0;
}

/* Resume a caught trap in klongjmp(&tc->jb, 1) by rewriting the frame. */
static void trap_catch_resume(struct trap_frame *f, struct trap_catch *tc, u64 cr2)
{
	struct catch_sink cs = { { catch_sink_line }, tc };

	tc->vector = f->vector;
	tc->error = f->error;
	tc->cr2 = cr2;
	tc->rip = f->rip;
	trap_report(&cs.sink, f, cr2);
	current_task()->trap_catch = tc->prev;
	f->rip = (u64)klongjmp;
	f->rdi = (u64)&tc->jb;
	f->rsi = 1;
}

void trap_dispatch(struct trap_frame *f);
void trap_dispatch(struct trap_frame *f)
{
	u64 cr2 = f->vector == X86_TRAP_PF || f->vector == X86_TRAP_DF ? read_cr2() : 0;
	const struct extable_entry *fix;
	struct cpu *c = this_cpu();
	u64 at, lo, hi;

	if (f->cs & 3)
		proc_trap_entry();      /* user time stops here */
	if (f->vector >= 32) {
		irq_dispatch(f);
		return;
	}
	if (f->vector == X86_TRAP_NMI && log_panic_in_progress()) {
		/* Another CPU panicked and is stopping us. */
		for (;;)
			halt();
	}
	/* User exceptions, and user pages a user copy faults in. */
	if (c->current && c->current->thread && proc_trap(f, cr2))
		return;
	if ((f->cs & 3) == 0) {
		fix = extable_find(f->rip);
		if (fix) {
			f->rip = fix->fixup;
			return;
		}
		/* #DF and #MC are never recoverable; don't unwind into them.
		 * Except a #DF from a stack overflow: the catcher runs on
		 * another stack, which is intact. */
		if (c->current && c->current->trap_catch && f->vector != X86_TRAP_MC &&
		    (f->vector != X86_TRAP_DF || trap_stack_overflow(f, cr2, &at, &lo, &hi))) {
			trap_catch_resume(f, c->current->trap_catch, cr2);
			return;
		}
	}
	log_enter_panic();
	trap_report(&log_sink, f, cr2);
	panic("fatal exception: %s%s", trap_name((unsigned)f->vector),
	      trap_stack_overflow(f, cr2, &at, &lo, &hi) ? " (kernel stack overflow)" : "");
}
