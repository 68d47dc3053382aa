/*
 * Backtraces by frame pointer (the kernel is built with
 * -fno-omit-frame-pointer): [rbp] is the caller's rbp, [rbp+8] the return
 * address. Every read is fault-safe, the chain must climb the stack, and
 * depth is bounded, so a corrupt stack cuts the trace short instead of
 * faulting inside the fault handler.
 */
#include "kernel/arch/x86_64/traps.h"
#include "kernel/arch/x86_64/layout.h"

#define BACKTRACE_MAX 32

void backtrace_print(struct report_sink *s, u64 rbp)
{
	sink_printf(s, "Call trace:");
	for (int depth = 0; depth < BACKTRACE_MAX; depth++) {
		u64 next, ret, off, size;
		const char *name;

		if (rbp < DIRECT_MAP_BASE || (rbp & 7))
			break;
		if (read_u64_nofault((const u64 *)rbp, &next) ||
		    read_u64_nofault((const u64 *)(rbp + 8), &ret))
			break;
		if (!ret)
			break;
		/* ret points after the call; ret-1 is inside the caller, which
		 * keeps noreturn calls at a function's end symbolized right. */
		name = ksym_lookup(ret - 1, &off, &size);
		if (name)
			sink_printf(s, " [<%016lx>] %s+0x%lx/0x%lx", (unsigned long)ret,
				    name, (unsigned long)(off + 1), (unsigned long)size);
		else
			sink_printf(s, " [<%016lx>] ?", (unsigned long)ret);
		if (next <= rbp)
			break;
		rbp = next;
	}
}
