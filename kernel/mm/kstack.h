/*
 * Kernel stacks with guard pages. Each stack lives in its own slot of the
 * kernel-stack area (layout.h): KSTACK_GUARD bytes that are never mapped,
 * then KSTACK_SIZE bytes of stack. Overflowing a stack runs into the guard:
 * the #PF cannot push its frame on the same stack, so the CPU raises #DF,
 * which runs on its own IST stack (cpu.c) and reports "kernel stack
 * overflow" with the stack's bounds (traps.c). The boot stack has a guard
 * page too (boot.S, BOOT_STACK_GUARD).
 */
#ifndef VIREO_MM_KSTACK_H
#define VIREO_MM_KSTACK_H

#include "kernel/lib/types.h"

#define KSTACK_SIZE  (16 * 1024)
#define KSTACK_GUARD (16 * 1024)

/* A stack's lowest address (its top is that + KSTACK_SIZE), or NULL. */
void *kstack_alloc(void);
/* Free a stack from kstack_alloc (not the one running). NULL is fine. */
void kstack_free(void *stack);

/* If addr is in a kernel stack's guard, the bounds of that stack. */
bool kstack_guard_hit(u64 addr, u64 *stack_lo, u64 *stack_hi);

#endif
