/*
 * Mapping an ELF image for execve. Nothing is copied: every PT_LOAD is a
 * private mapping of the file's page-cache pages, so a page of the program
 * comes in on its first touch, every process running the same binary shares
 * its text frames, and a written data page gets a private copy (the
 * copy-on-write fault path). The BSS beyond the file's bytes is anonymous
 * memory (the zero page until written), and the bytes between p_filesz and
 * the end of the last file page, which in the file hold whatever follows
 * the segment, are zeroed in a private copy of that page, as Linux does.
 */
#include <fs/vfs.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/zero_page.h>
#include <uapi/errno.h>
#include "exec_internal.h"

int exec_image_open(struct exec_image *img, const char *path)
{
	struct file *f = vfs_open_exec(path, &img->file_len_bytes);
	if (IS_ERR(f))
		return PTR_ERR(f);
	img->file = f;
	return 0;
}

void exec_image_close(struct exec_image *img)
{
	if (img->file)
		file_put(img->file);
	img->file = NULL;
}

/* Read exactly len bytes at off; a short read means a truncated file. */
static int exec_read(struct exec_image *img, void *buf, size_t len, u64 off)
{
	ssize_t n = kernel_read(img->file, buf, len, off);
	if (n < 0)
		return n;
	return (size_t)n == len ? 0 : -ENOEXEC;
}

int exec_image_read_headers(struct exec_image *img)
{
	int r = exec_read(img, &img->eh, sizeof(img->eh), 0);
	if (r)
		return r;
	if ((r = elf_check_header(&img->eh, img->file_len_bytes)))
		return r;
	r = exec_read(img, img->ph, img->eh.e_phnum * sizeof(img->ph[0]), img->eh.e_phoff);
	if (r)
		return r;
	return elf_check_phdrs(&img->eh, img->ph, img->file_len_bytes, STACK_TOP - STACK_SIZE,
			       &img->info);
}

/* The PT_INTERP path into a new kmalloc'd string: it must end with its only NUL. */
static char *exec_read_interp_path(struct exec_image *main, int *err)
{
	const struct elf64_phdr *p = &main->ph[main->info.interp_index];
	char *path = kmalloc(p->p_filesz, 0);
	*err = path ? exec_read(main, path, p->p_filesz, p->p_offset) : -ENOMEM;
	if (!*err && (path[p->p_filesz - 1] || strlen(path) != p->p_filesz - 1))
		*err = -ENOEXEC;
	if (*err) {
		kfree(path);
		return NULL;
	}
	return path;
}

int exec_image_open_interp(struct exec_image *main, struct exec_image *interp)
{
	int r;
	char *path = exec_read_interp_path(main, &r);
	if (!path)
		return r;
	r = exec_image_open(interp, path);
	kfree(path);
	return r ? r : exec_image_read_headers(interp);
}

static int exec_prot(u32 p_flags)
{
	return (p_flags & PF_R ? PROT_READ : 0) | (p_flags & PF_W ? PROT_WRITE : 0) |
	       (p_flags & PF_X ? PROT_EXEC : 0);
}

/*
 * Zero [va, end of its page) in mm: the file page there holds bytes past
 * p_filesz. A forced write (mm_copy_in) works even on a read-only segment
 * and gives this process a private copy, leaving the file untouched.
 */
static int exec_zero_tail(struct mm *mm, u64 va)
{
	u64 n = ALIGN_UP(va, PAGE_SIZE) - va;
	return n ? mm_copy_in(mm, va, zero_page_bytes, n) : 0;
}

/*
 * One PT_LOAD: the pages holding file bytes map the file privately from
 * the page containing p_offset; the rest of p_memsz is anonymous. A page
 * shared with the previous segment is re-mapped by this one (MAP_FIXED),
 * as on Linux.
 */
static int exec_map_segment(struct exec_image *img, struct mm *mm, const struct elf64_phdr *p)
{
	u64 va = p->p_vaddr + img->bias, start = ALIGN_DOWN(va, PAGE_SIZE);
	u64 file_end = p->p_filesz ? ALIGN_UP(va + p->p_filesz, PAGE_SIZE) : start;
	u64 end = ALIGN_UP(va + p->p_memsz, PAGE_SIZE);
	int prot = exec_prot(p->p_flags);
	long r = 0;
	if (file_end > start)
		r = mm_map(mm, start, file_end - start, prot, MAP_PRIVATE | MAP_FIXED, img->file,
			   ALIGN_DOWN(p->p_offset, PAGE_SIZE));
	if (r >= 0 && end > file_end)
		r = mm_map(mm, file_end, end - file_end, prot,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
	if (r >= 0 && p->p_filesz && p->p_memsz > p->p_filesz)
		r = exec_zero_tail(mm, va + p->p_filesz);
	return r < 0 ? (int)r : 0;
}

/*
 * The interpreter goes wherever a top-down mmap search finds room for its
 * whole span (just below the mmap base, as on Linux); the span is reserved
 * and released at once, the segments then take their places inside it.
 */
static int exec_place_interp(struct exec_image *img, struct mm *mm)
{
	u64 span = img->info.hi_vaddr - img->info.lo_vaddr;
	long at = mm_map(mm, 0, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
	if (at < 0)
		return (int)at;
	int r = mm_unmap(mm, (u64)at, span);
	img->bias = (u64)at - img->info.lo_vaddr;
	return r;
}

int exec_image_map(struct exec_image *img, struct mm *mm, bool is_interp)
{
	int r = 0;
	if (img->info.type == ET_DYN && is_interp)
		r = exec_place_interp(img, mm);
	else
		img->bias = img->info.type == ET_DYN ? ET_DYN_BASE - img->info.lo_vaddr : 0;
	for (int i = 0; !r && i < img->eh.e_phnum; i++) {
		const struct elf64_phdr *p = &img->ph[i];
		if (p->p_type == PT_LOAD && p->p_memsz)
			r = exec_map_segment(img, mm, p);
	}
	return r;
}
