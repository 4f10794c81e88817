/* Per-CPU memory event counters (include/mm/vmstat.h). */
#include <mm/vmstat.h>

struct vm_event_row vm_event_rows[MAX_CPUS];

#define VM_EVENT_NAME(id, name) [id] = name,
static const char *const vm_event_names[NR_VM_EVENTS] = { VM_EVENT_LIST(VM_EVENT_NAME) };
#undef VM_EVENT_NAME

u64 vm_event_sum(enum vm_event e)
{
	u64 sum = 0;
	for (int cpu = 0; cpu < MAX_CPUS; cpu++)
		sum += __atomic_load_n(&vm_event_rows[cpu].count[e], __ATOMIC_RELAXED);
	return sum;
}

const char *vm_event_name(enum vm_event e)
{
	return (unsigned)e < NR_VM_EVENTS ? vm_event_names[e] : NULL;
}
