/*
 * Per-task x87/SSE state for user programs. FXSAVE/FXRSTOR (SDM vol 1
 * §10.5): 512 bytes, x87, MMX, XMM0-15 and MXCSR. CR4.OSXSAVE stays off,
 * so CPUID tells programs that AVX state is not managed and they keep to
 * SSE. The kernel itself never touches these registers
 * (-mgeneral-regs-only), so only user tasks carry an area: it is saved
 * when one is switched out and restored when one is switched in.
 */
#ifndef VIREO_ARCH_FPU_H
#define VIREO_ARCH_FPU_H

#include "kernel/lib/types.h"
#include "kernel/lib/compiler.h"

struct fpu_state {
	u8 fxsave[512];
} __aligned(16);

/* CR0.MP on, EM and TS off; CR4.OSFXSR and OSXMMEXCPT on. Every CPU. */
void fpu_cpu_init(void);

/* The state a new program starts with (FNINIT, MXCSR 0x1f80 as on Linux:
 * every exception masked, round to nearest). */
void fpu_state_init(struct fpu_state *s);

static inline void fpu_save(struct fpu_state *s)
{
	__asm__ __volatile__("fxsave64 %0" : "=m"(*s));
}

static inline void fpu_restore(const struct fpu_state *s)
{
	__asm__ __volatile__("fxrstor64 %0" : : "m"(*s));
}

#endif
