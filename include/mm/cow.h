/*
 * Copy-on-write: the policy point between the fault path and the sharing
 * that fork() sets up. kernel/mm/fault.c decides THAT a fault is a write to a
 * present, read-only PTE inside a writable private VMA; this decides what to
 * do about it (reuse the frame if we are its only user, else copy).
 */
#pragma once
#include <arch/mmu.h>
#include <hooks.h>
#include <types.h>

struct mm;
struct vma;

/*
 * Resolve a write fault at page-aligned va in vma (private: not VM_SHARED),
 * whose present PTE *pte lacks PTE_W or maps a frame that is shared, the
 * zero page or a page-cache page, by leaving *pte writable and pointing at
 * an anonymous frame only this PTE references. vma normally has VM_WRITE;
 * mm_copy_in also calls this on a read-only VMA to unshare a page before a
 * forced write, and removes W again afterwards. Called and returns with
 * mm->lock held.
 * Must flush the old translation (mm_flush_page) before dropping a
 * reference to the old frame. Returns FAULT_HANDLED, FAULT_OOM, or
 * FAULT_SEGV_ACCERR.
 */
enum fault_result cow_handle_write_fault(struct mm *mm, struct vma *vma, u64 va, pte_t *pte);

/*
 * A write fault at huge PMD *pmdp (mapping haddr of a writable private
 * VMA) that lacks PTE_W. The huge page ours alone: it becomes writable,
 * FAULT_HANDLED. Shared, or the huge zero page: the PMD is split into
 * PTEs and FAULT_FALLBACK asks the caller to resolve the fault at 4 KiB
 * (cow_handle_write_fault then copies one page). FAULT_OOM if the split
 * finds no page table. Called and returns with mm->lock held.
 */
enum fault_result cow_handle_huge_write_fault(struct mm *mm, u64 haddr, pte_t *pmdp);

/*
 * fork: give child (fresh from mm_create) every VMA and PTE of parent,
 * sharing frames copy-on-write (MADV_DONTFORK VMAs are left out,
 * MADV_WIPEONFORK ones copied without their pages). 0, or -ENOMEM with
 * child holding a consistent partial copy (mm_put it). Takes parent->lock.
 */
int cow_dup_mm(struct mm *parent, struct mm *child);
