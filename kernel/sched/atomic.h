/*
 * Atomic integers: thin, named wrappers over the compiler's __atomic
 * builtins. Read-modify-write operations are sequentially consistent (a
 * locked instruction on x86); plain reads and sets are relaxed.
 */
#ifndef VIREO_SCHED_ATOMIC_H
#define VIREO_SCHED_ATOMIC_H

#include "kernel/lib/types.h"

typedef struct {
	long v;
} atomic_t;

#define ATOMIC_INIT(x) { (x) }

static inline long atomic_read(const atomic_t *a)
{
	return __atomic_load_n(&a->v, __ATOMIC_RELAXED);
}

static inline void atomic_set(atomic_t *a, long v)
{
	__atomic_store_n(&a->v, v, __ATOMIC_RELAXED);
}

static inline long atomic_add_return(atomic_t *a, long n)
{
	return __atomic_add_fetch(&a->v, n, __ATOMIC_SEQ_CST);
}

static inline void atomic_add(atomic_t *a, long n)
{
	__atomic_add_fetch(&a->v, n, __ATOMIC_SEQ_CST);
}

static inline void atomic_inc(atomic_t *a)
{
	atomic_add(a, 1);
}

static inline void atomic_dec(atomic_t *a)
{
	atomic_add(a, -1);
}

/* True when the decrement reached zero (reference counts). */
static inline bool atomic_dec_and_test(atomic_t *a)
{
	return atomic_add_return(a, -1) == 0;
}

static inline long atomic_xchg(atomic_t *a, long v)
{
	return __atomic_exchange_n(&a->v, v, __ATOMIC_SEQ_CST);
}

/* If *a == old, store new; returns the value seen (== old on success). */
static inline long atomic_cmpxchg(atomic_t *a, long old, long new)
{
	__atomic_compare_exchange_n(&a->v, &old, new, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
	return old;
}

#endif
