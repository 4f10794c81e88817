/*
 * Memory event counters, the source of /proc/vmstat. Each CPU counts into its
 * own cache-line-aligned row, so the fault path never bounces a shared line;
 * readers sum the rows and may see a total a few events stale, never torn.
 *
 * Add an event by adding one X(...) line below: the enum constant and its
 * /proc/vmstat name come from the same list, so they cannot drift apart.
 */
#pragma once
#include <arch/percpu.h>
#include <types.h>

#define VM_EVENT_LIST(X)                                                                           \
	X(VM_PGFAULT, "pgfault")		     /* every user-address page fault */           \
	X(VM_PGFAULT_ZERO_FILL, "pgfault_zero_fill") /* resolved with a fresh zeroed frame */      \
	X(VM_PGFAULT_SPURIOUS, "pgfault_spurious")   /* PTE already allowed it: stale TLB */       \
	X(VM_PGFAULT_SEGV, "pgfault_segv")	     /* no mapping or access forbidden */          \
	X(VM_PGFAULT_OOM, "pgfault_oom")	     /* no frame to resolve it */                  \
	X(VM_STACK_GROW, "stack_grow")		     /* a VM_GROWSDOWN stack was extended */       \
	X(VM_COW_FAULT, "cow_fault")		     /* a write hit a copy-on-write PTE */         \
	X(VM_COW_COPY, "cow_copy")		     /* ... resolved by copying the frame */       \
	X(VM_COW_REUSE, "cow_reuse")	       /* ... resolved by reusing it (last sharer) */      \
	X(VM_ZERO_PAGE_MAP, "zero_page_map")   /* a read fault mapped the shared zero page */      \
	X(VM_ZERO_PAGE_COW, "zero_page_cow")   /* a write replaced it with a fresh zeroed frame */ \
	X(VM_PGFAULT_FILE, "pgfault_file")     /* a fault mapped (or copied) a page-cache page */  \
	X(VM_PGFAULT_SIGBUS, "pgfault_sigbus") /* a file mapping touched beyond end of file */     \
	X(VM_THP_FAULT_ALLOC, "thp_fault_alloc")       /* a fault mapped a fresh huge page */      \
	X(VM_THP_FAULT_FALLBACK, "thp_fault_fallback") /* ... wanted one, none free: 4 KiB */      \
	X(VM_THP_ZERO_PAGE_MAP, "thp_zero_page_map") /* a read fault mapped the huge zero page */  \
	X(VM_THP_COW_REUSE, "thp_cow_reuse")	     /* write to a huge page we alone map */       \
	X(VM_THP_SPLIT_PMD, "thp_split_pmd")	     /* a 2 MiB mapping became 512 PTEs */         \
	X(VM_THP_SPLIT_PAGE, "thp_split_page")	     /* a huge page became 512 frames */

#define VM_EVENT_ENUM(id, name) id,
enum vm_event {
	VM_EVENT_LIST(VM_EVENT_ENUM) NR_VM_EVENTS,
};
#undef VM_EVENT_ENUM

/* One CPU's counters; only that CPU writes them. */
struct vm_event_row {
	u64 count[NR_VM_EVENTS];
} __aligned(64);

extern struct vm_event_row vm_event_rows[MAX_CPUS];

/*
 * Count one event on this CPU. The add is a single atomic instruction, so an
 * interrupt or a migration between reading the CPU id and adding cannot lose
 * a count (at worst another CPU's row gets it, which the sum does not mind).
 */
static inline void vm_event_inc(enum vm_event e)
{
	__atomic_fetch_add(&vm_event_rows[this_cpu()->id].count[e], 1, __ATOMIC_RELAXED);
}
/* Total over all CPUs. */
u64 vm_event_sum(enum vm_event e);
/* The /proc/vmstat name of e ("pgfault"), or NULL if e is out of range. */
const char *vm_event_name(enum vm_event e);
