/* Atomic counters (sequentially consistent unless the name says otherwise). */
#pragma once
#include <types.h>

typedef struct {
	int counter;
} atomic_t;
typedef struct {
	s64 counter;
} atomic64_t;

#define ATOMIC_INIT(v) { (v) }

static inline int atomic_read(const atomic_t *a)
{
	return __atomic_load_n(&a->counter, __ATOMIC_RELAXED);
}
static inline void atomic_set(atomic_t *a, int v)
{
	__atomic_store_n(&a->counter, v, __ATOMIC_RELAXED);
}
static inline int atomic_add_return(atomic_t *a, int v)
{
	return __atomic_add_fetch(&a->counter, v, __ATOMIC_SEQ_CST);
}
static inline void atomic_inc(atomic_t *a)
{
	atomic_add_return(a, 1);
}
static inline void atomic_dec(atomic_t *a)
{
	atomic_add_return(a, -1);
}
/* True when this decrement took the counter to zero. */
static inline bool atomic_dec_and_test(atomic_t *a)
{
	return atomic_add_return(a, -1) == 0;
}
static inline bool atomic_cmpxchg(atomic_t *a, int old, int new_)
{
	return __atomic_compare_exchange_n(&a->counter, &old, new_, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST);
}
static inline s64 atomic64_read(const atomic64_t *a)
{
	return __atomic_load_n(&a->counter, __ATOMIC_RELAXED);
}
static inline void atomic64_set(atomic64_t *a, s64 v)
{
	__atomic_store_n(&a->counter, v, __ATOMIC_RELAXED);
}
static inline s64 atomic64_add_return(atomic64_t *a, s64 v)
{
	return __atomic_add_fetch(&a->counter, v, __ATOMIC_SEQ_CST);
}
static inline void atomic64_inc(atomic64_t *a)
{
	atomic64_add_return(a, 1);
}
