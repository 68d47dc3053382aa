/*
 * Trap frames, exception reports, the exception table and trap catching.
 */
#ifndef VIREO_ARCH_TRAPS_H
#define VIREO_ARCH_TRAPS_H

#include "kernel/lib/types.h"
#include "kernel/lib/compiler.h"

/* What trap_common saves, lowest address first (trap_entry.S). */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector;
	u64 error;
	/* pushed by the CPU */
	u64 rip, cs, rflags, rsp, ss;
};
/* trap_common tests CS at 24(%rsp) before pushing the 15 registers. */
_Static_assert(__builtin_offsetof(struct trap_frame, cs) -
	       __builtin_offsetof(struct trap_frame, vector) == 24, "frame CS");

#define X86_TRAP_DE  0
#define X86_TRAP_DB  1
#define X86_TRAP_NMI 2
#define X86_TRAP_BP  3
#define X86_TRAP_UD  6
#define X86_TRAP_NM  7
#define X86_TRAP_DF  8
#define X86_TRAP_GP  13
#define X86_TRAP_PF  14
#define X86_TRAP_MC  18

/* #PF error code bits (SDM vol 3 §4.7). */
#define PF_PRESENT 0x01
#define PF_WRITE   0x02
#define PF_USER    0x04
#define PF_RSVD    0x08
#define PF_INSTR   0x10

const char *trap_name(unsigned vector);

/*
 * Exception table: an instruction that may fault, and where to resume if it
 * does. Entries come from assembly (.extable); user copies use it.
 */
struct extable_entry {
	u64 insn;
	u64 fixup;
};
const struct extable_entry *extable_find(u64 rip);
int read_u64_nofault(const u64 *p, u64 *out);

/* Lines of a report go to a sink: the log, or a buffer for tests. */
struct report_sink {
	void (*line)(struct report_sink *s, const char *text);
};
void sink_printf(struct report_sink *s, const char *fmt, ...) __printf(2, 3);
extern struct report_sink log_sink;

/* Print the exception report: name, error code, CR2, registers, trace. */
void trap_report(struct report_sink *s, const struct trap_frame *f, u64 cr2);

/* Backtrace following frame pointers from rbp. */
void backtrace_print(struct report_sink *s, u64 rbp);
/* Backtrace of interrupted code, which may not have its frame set up. */
void backtrace_print_trap(struct report_sink *s, u64 rip, u64 rsp, u64 rbp);
/* Symbolize addr as "name+0xoff/0xsize" into buf. */
void ksym_format(u64 addr, char *buf, size_t size);
/* Name of the function containing addr, or NULL. */
const char *ksym_lookup(u64 addr, u64 *offset, u64 *size);

/*
 * Trap catching: run fn(arg); if it takes a kernel exception, record the
 * report in the buffer, unwind to here and return the vector + 1 instead of
 * dying. 0 means fn returned normally. Used by the in-kernel tests.
 */
struct kjmp_buf {
	u64 rbx, rbp, r12, r13, r14, r15, rsp, rip;
};
int ksetjmp(struct kjmp_buf *jb) __attribute__((returns_twice));
void __noreturn klongjmp(struct kjmp_buf *jb, int val);

struct trap_catch {
	struct kjmp_buf jb;
	struct trap_catch *prev;
	char *report;
	size_t report_size;
	size_t report_len;
	u64 vector;
	u64 error;
	u64 cr2;
	u64 rip;
};
int trap_catch_call(struct trap_catch *tc, char *report, size_t size,
		    void (*fn)(void *), void *arg);

#endif
