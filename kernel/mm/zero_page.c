/*
 * The shared zero page (include/mm/zero_page.h): what it is, who maps it,
 * and why it is not reference counted are explained there.
 */
#include <mm/mm.h>
#include <mm/page.h>
#include <mm/vmstat.h>
#include <mm/zero_page.h>
#include <uapi/errno.h>

/*
 * In .rodata: the kernel's own mapping of the image makes it read-only, so
 * a stray kernel write through that alias faults instead of corrupting
 * every zero-filled page in the system.
 */
const u8 zero_page_bytes[PAGE_SIZE] __aligned(PAGE_SIZE) = { 0 };

/*
 * The frame is part of the kernel image, so frame_init has marked it
 * PG_RESERVED with refcount 0: a stray page_put on it is refused loudly by
 * page_put instead of freeing it.
 */
void zero_page_init(void)
{
	virt_to_page(zero_page_bytes)->flags |= PG_ZERO;
}

/*
 * Never writable, whatever v allows: the first write must fault so that
 * cow_handle_write_fault can replace it with a frame of the writer's own.
 */
int zero_page_map(struct mm *mm, struct vma *v, u64 va)
{
	if (pt_map(mm->root, va, zero_page_phys(), vma_pte_flags(v) & ~PTE_W))
		return -ENOMEM;
	vm_event_inc(VM_ZERO_PAGE_MAP);
	return 0;
}
