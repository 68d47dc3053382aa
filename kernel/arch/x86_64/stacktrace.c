/*
 * Backtraces by frame pointer (the kernel is built with
 * -fno-omit-frame-pointer): [rbp] is the caller's rbp, [rbp+8] the return
 * address. Every read is fault-safe, the chain must climb the stack, and
 * depth is bounded, so a corrupt stack cuts the trace short instead of
 * faulting inside the fault handler.
 */
#include "kernel/arch/x86_64/traps.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/lib/string.h"

#define BACKTRACE_MAX 32

static void print_ret(struct report_sink *s, u64 ret)
{
	u64 off, size;
	const char *name = ksym_lookup(ret - 1, &off, &size);

	/* ret points after the call; ret-1 is inside the caller, which keeps
	 * noreturn calls at a function's end symbolized right. */
	if (name)
		sink_printf(s, " [<%016lx>] %s+0x%lx/0x%lx", (unsigned long)ret,
			    name, (unsigned long)(off + 1), (unsigned long)size);
	else
		sink_printf(s, " [<%016lx>] ?", (unsigned long)ret);
}

static void walk(struct report_sink *s, u64 rbp)
{
	for (int depth = 0; depth < BACKTRACE_MAX; depth++) {
		u64 next, ret;

		if (rbp < DIRECT_MAP_BASE || (rbp & 7))
			break;
		if (read_u64_nofault((const u64 *)rbp, &next) ||
		    read_u64_nofault((const u64 *)(rbp + 8), &ret))
			break;
		if (!ret)
			break;
		print_ret(s, ret);
		if (next <= rbp)
			break;
		rbp = next;
	}
}

void backtrace_print(struct report_sink *s, u64 rbp)
{
	sink_printf(s, "Call trace:");
	walk(s, rbp);
}

/*
 * The interrupted function may not have built its frame yet (trapped in
 * its first instructions) or at all (gcc omits it in leaf functions that
 * use no stack, whatever -mno-omit-leaf-frame-pointer says). Then RBP is
 * still the caller's and the return address sits at the top of the stack:
 * at [rsp] before `push %rbp`, at [rsp+8] after it.
 */
void backtrace_print_trap(struct report_sink *s, u64 rip, u64 rsp, u64 rbp)
{
	static const u8 prologue[4] = { 0x55, 0x48, 0x89, 0xe5 };
	u64 off, code = 0, ret;
	const char *name = ksym_lookup(rip, &off, NULL);

	sink_printf(s, "Call trace:");
	if (name && !read_u64_nofault((const u64 *)(rip - off), &code)) {
		bool has_frame = !memcmp(&code, prologue, sizeof(prologue));
		u64 slot = 0;

		if (!has_frame || off == 0)
			slot = rsp;
		else if (off < sizeof(prologue))
			slot = rsp + 8;
		if (slot && !read_u64_nofault((const u64 *)slot, &ret) &&
		    ksym_lookup(ret - 1, NULL, NULL))
			print_ret(s, ret);
	}
	walk(s, rbp);
}
