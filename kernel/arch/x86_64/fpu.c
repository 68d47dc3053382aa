/* x87/SSE state handling (see fpu.h). */
#include "kernel/arch/x86_64/fpu.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/lib/string.h"
#include <asm/processor-flags.h>

/* FXSAVE image offsets (SDM vol 1 table 10-2). */
#define FXSAVE_FCW   0
#define FXSAVE_MXCSR 24

#define FCW_DEFAULT   0x037f    /* FNINIT: all x87 exceptions masked */
#define MXCSR_DEFAULT 0x1f80    /* all SSE exceptions masked */

void fpu_cpu_init(void)
{
	write_cr0((read_cr0() | X86_CR0_MP) & ~(X86_CR0_EM | X86_CR0_TS));
	write_cr4(read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);
}

void fpu_state_init(struct fpu_state *s)
{
	u16 fcw = FCW_DEFAULT;
	u32 mxcsr = MXCSR_DEFAULT;

	/* Abridged tag word 0: every x87 register empty. */
	memset(s, 0, sizeof(*s));
	memcpy(&s->fxsave[FXSAVE_FCW], &fcw, sizeof(fcw));
	memcpy(&s->fxsave[FXSAVE_MXCSR], &mxcsr, sizeof(mxcsr));
}
