/*
 * execve(): load an ELF executable into a fresh address space, build
 * Linux's initial stack, and switch the task over.
 *
 * Order matters: everything that can fail (opening, checking, mapping,
 * copying, building the stack) happens in the NEW address space while the
 * old one is still intact, so a failed exec returns an errno to a caller
 * that can carry on. Only then do we pass the point of no return and drop
 * the old image.
 */
#include <arch/asm_offsets.h>
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <fs/fdtable.h>
#include <fs/fs_struct.h>
#include <fs/vfs.h>
#include <lib/printk.h>
#include <lib/random.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <proc/elf.h>
#include <proc/exec.h>
#include <proc/fork.h>
#include <proc/task.h>
#include <uapi/errno.h>

#define ET_DYN_BASE   0x555555554000ul /* where static-PIE images go, as on Linux without ASLR */
#define STACK_SIZE    (8ul << 20)  /* the most the main stack may grow to */
#define STACK_INITIAL (128ul << 10) /* mapped at exec; faults grow it */
#define STACK_TOP     USER_TOP

enum auxv_type {
	AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7,
	AT_FLAGS = 8, AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14,
	AT_PLATFORM = 15, AT_HWCAP = 16, AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25,
	AT_HWCAP2 = 26, AT_EXECFN = 31, AT_MINSIGSTKSZ = 51,
};
#define AUXV_MAX_PAIRS 24

int exec_args_init(struct exec_args *a)
{
	a->buf = kmalloc(EXEC_ARGS_MAX, 0);
	a->len_bytes = 0;
	a->argc = a->envc = 0;
	return a->buf ? 0 : -ENOMEM;
}

void exec_args_free(struct exec_args *a)
{
	kfree(a->buf);
	a->buf = NULL;
}

static void exec_args_count(struct exec_args *a, bool is_env)
{
	if (is_env)
		a->envc++;
	else
		a->argc++;
}

int exec_args_copy_user(struct exec_args *a, char *const __user *uvec, bool is_env)
{
	for (int i = 0; uvec; i++) {
		char *ustr;
		if (a->argc + a->envc >= EXEC_MAX_STRINGS)
			return -E2BIG;
		if (copy_from_user(&ustr, &uvec[i], sizeof(ustr)))
			return -EFAULT;
		if (!ustr)
			return 0;
		long n = strncpy_from_user(a->buf + a->len_bytes, ustr,
					   EXEC_ARGS_MAX - a->len_bytes);
		if (n < 0)
			return n == -ENAMETOOLONG ? -E2BIG : n;
		a->len_bytes += n + 1;
		exec_args_count(a, is_env);
	}
	return 0;
}

int exec_args_copy_kernel(struct exec_args *a, char *const kvec[], bool is_env)
{
	for (int i = 0; kvec && kvec[i]; i++) {
		size_t n = strlen(kvec[i]) + 1;
		if (n > EXEC_ARGS_MAX - a->len_bytes)
			return -E2BIG;
		memcpy(a->buf + a->len_bytes, kvec[i], n);
		a->len_bytes += n;
		exec_args_count(a, is_env);
	}
	return 0;
}

/* Bytes of a's buffer taken by the argv strings (the envp strings follow). */
static size_t exec_args_argv_len(const struct exec_args *a)
{
	size_t off = 0;
	for (int i = 0; i < a->argc; i++)
		off += strlen(a->buf + off) + 1;
	return off;
}

/* Everything the loader learned about the image, after relocation by bias. */
struct exec_image {
	struct file *file;
	u64 file_len_bytes;
	struct elf64_ehdr eh;
	struct elf64_phdr ph[ELF_MAX_PHNUM];
	struct elf_info info;
	u64 bias;
};

/* Read exactly len bytes at off; a short read means a truncated file. */
static int exec_read(struct exec_image *img, void *buf, size_t len, u64 off)
{
	ssize_t n = kernel_read(img->file, buf, len, off);
	if (n < 0)
		return n;
	return (size_t)n == len ? 0 : -ENOEXEC;
}

static int exec_read_headers(struct exec_image *img)
{
	int r = exec_read(img, &img->eh, sizeof(img->eh), 0);
	if (r)
		return r;
	if ((r = elf_check_header(&img->eh, img->file_len_bytes)))
		return r;
	r = exec_read(img, img->ph, img->eh.e_phnum * sizeof(img->ph[0]), img->eh.e_phoff);
	if (r)
		return r;
	r = elf_check_phdrs(&img->eh, img->ph, img->file_len_bytes, STACK_TOP - STACK_SIZE,
			    &img->info);
	if (r)
		return r;
	if (img->info.interp_index >= 0) {
		printk("cowix: exec: dynamically linked programs are not supported yet\n");
		return -ENOEXEC;
	}
	img->bias = img->info.type == ET_DYN ? ET_DYN_BASE - img->info.lo_vaddr : 0;
	return 0;
}

static int exec_prot(u32 p_flags)
{
	return (p_flags & PF_R ? PROT_READ : 0) | (p_flags & PF_W ? PROT_WRITE : 0) |
	       (p_flags & PF_X ? PROT_EXEC : 0);
}

/*
 * Copy file bytes [off, off+len) to user address va in mm, a page at a
 * time through a bounce buffer (mm is not the current address space).
 */
static int exec_copy_file(struct exec_image *img, struct mm *mm, u64 va, u64 off, u64 len)
{
	char *bounce = kmalloc(PAGE_SIZE, 0);
	int r = bounce ? 0 : -ENOMEM;
	while (!r && len) {
		size_t n = MIN(len, PAGE_SIZE);
		r = exec_read(img, bounce, n, off);
		if (!r)
			r = mm_copy_in(mm, va, bounce, n);
		va += n, off += n, len -= n;
	}
	kfree(bounce);
	return r;
}

/*
 * Map one PT_LOAD as private anonymous memory and fill it from the file.
 * Whole file pages are copied, starting at the page containing p_offset,
 * just as mapping the file would show them; what lies past p_filesz stays
 * zero (the BSS). A page shared with the previous segment is re-mapped by
 * this one and still holds that segment's bytes, which come from the same
 * file page.
 */
static int exec_load_segment(struct exec_image *img, struct mm *mm, const struct elf64_phdr *p)
{
	u64 start = ALIGN_DOWN(p->p_vaddr + img->bias, PAGE_SIZE);
	u64 end = ALIGN_UP(p->p_vaddr + img->bias + p->p_memsz, PAGE_SIZE);
	long r = mm_map(mm, start, end - start, exec_prot(p->p_flags),
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
	if (r < 0)
		return r;
	u64 file_start = ALIGN_DOWN(p->p_offset, PAGE_SIZE);
	u64 file_end = p->p_offset + p->p_filesz;
	if (p->p_filesz == 0)
		return 0;
	return exec_copy_file(img, mm, start, file_start, file_end - file_start);
}

static int exec_load_image(struct exec_image *img, struct mm *mm)
{
	for (int i = 0; i < img->eh.e_phnum; i++) {
		const struct elf64_phdr *p = &img->ph[i];
		if (p->p_type != PT_LOAD || p->p_memsz == 0)
			continue;
		int r = exec_load_segment(img, mm, p);
		if (r)
			return r;
	}
	return mm_set_brk_start(mm, img->info.hi_vaddr + img->bias);
}

/* Stack under construction: a kernel copy of [sp, STACK_TOP). */
struct stack_builder {
	char *buf;      /* buf[i] is the byte at user address base + i */
	u64 base;       /* user address of buf[0] */
	u64 sp;         /* current lowest used user address */
};

static u64 stack_push_bytes(struct stack_builder *s, const void *data, size_t len)
{
	s->sp -= len;
	memcpy(s->buf + (s->sp - s->base), data, len);
	return s->sp;
}

static void stack_push_u64(struct stack_builder *s, u64 v)
{
	stack_push_bytes(s, &v, sizeof(v));
}

static u64 cpu_hwcap(void)
{
	u32 a, b, c, d;
	cpuid(1, 0, &a, &b, &c, &d);
	return d;
}

/* Fill auxv (pairs, AT_NULL-terminated); returns the number of u64 slots used. */
static int exec_fill_auxv(u64 *auxv, struct exec_image *img, u64 random_va, u64 execfn_va,
			  u64 platform_va)
{
	u64 pairs[][2] = {
		{ AT_HWCAP, cpu_hwcap() },
		{ AT_PAGESZ, PAGE_SIZE },
		{ AT_CLKTCK, 100 },
		{ AT_PHDR, img->info.phdr_vaddr ? img->info.phdr_vaddr + img->bias : 0 },
		{ AT_PHENT, sizeof(struct elf64_phdr) },
		{ AT_PHNUM, img->eh.e_phnum },
		{ AT_BASE, 0 },
		{ AT_FLAGS, 0 },
		{ AT_ENTRY, img->eh.e_entry + img->bias },
		{ AT_UID, 0 }, { AT_EUID, 0 }, { AT_GID, 0 }, { AT_EGID, 0 },
		{ AT_SECURE, 0 },
		{ AT_RANDOM, random_va },
		{ AT_HWCAP2, 0 },
		{ AT_EXECFN, execfn_va },
		{ AT_PLATFORM, platform_va },
		{ AT_MINSIGSTKSZ, 2048 },
		{ AT_NULL, 0 },
	};
	int n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(pairs); i++) {
		auxv[n++] = pairs[i][0];
		auxv[n++] = pairs[i][1];
	}
	return n;
}

/*
 * Linux's initial stack, top down: the exec'd file name, the argv and envp
 * strings, 16 random bytes, the platform string, then (16-byte aligned at
 * argc) argc, argv[], NULL, envp[], NULL, auxv pairs.
 */
static int exec_build_stack(struct exec_image *img, struct mm *mm, const char *path,
			    struct exec_args *a, u64 *sp_out)
{
	size_t path_len = strlen(path) + 1;
	size_t vec_slots = 1 + a->argc + 1 + a->envc + 1 + 2 * AUXV_MAX_PAIRS;
	size_t need = 8 + path_len + a->len_bytes + 16 + 8 + 16 + vec_slots * 8 + 16;
	struct stack_builder s = { .buf = kmalloc(need, 0), .base = STACK_TOP - need, .sp = STACK_TOP };
	if (!s.buf)
		return -ENOMEM;
	u8 rnd[16];
	random_bytes(rnd, sizeof(rnd));
	stack_push_u64(&s, 0);
	u64 execfn_va = stack_push_bytes(&s, path, path_len);
	u64 strings_va = stack_push_bytes(&s, a->buf, a->len_bytes);
	mm->arg_start = strings_va;
	mm->env_start = mm->arg_end = strings_va + exec_args_argv_len(a);
	mm->env_end = strings_va + a->len_bytes;
	u64 random_va = stack_push_bytes(&s, rnd, sizeof(rnd));
	u64 platform_va = stack_push_bytes(&s, "x86_64", 7);
	s.sp &= ~15ul;

	u64 auxv[2 * AUXV_MAX_PAIRS];
	int nauxv = exec_fill_auxv(auxv, img, random_va, execfn_va, platform_va);
	size_t nslots = 1 + a->argc + 1 + a->envc + 1 + nauxv;
	if (nslots & 1)
		stack_push_u64(&s, 0); /* keep rsp 16-byte aligned at argc */
	stack_push_bytes(&s, auxv, nauxv * 8);
	/* argv[] NULL envp[] NULL, pointing into the strings pushed above. */
	s.sp -= (a->argc + 1 + a->envc + 1) * 8;
	u64 *vec = (u64 *)(s.buf + (s.sp - s.base));
	u64 str = strings_va;
	for (int i = 0, k = 0; i < a->argc + a->envc; i++, k++) {
		if (i == a->argc)
			vec[k++] = 0;
		vec[k] = str;
		str += strlen(a->buf + (str - strings_va)) + 1;
	}
	vec[a->argc] = 0;
	vec[a->argc + 1 + a->envc] = 0;
	stack_push_u64(&s, a->argc);
	int r = mm_copy_in(mm, s.sp, s.buf + (s.sp - s.base), STACK_TOP - s.sp);
	kfree(s.buf);
	*sp_out = s.sp;
	return r;
}

/* Build the complete new address space. */
static int exec_build_mm(struct exec_image *img, struct mm *mm, const char *path,
			 struct exec_args *a, u64 *sp)
{
	int r = exec_load_image(img, mm);
	if (r)
		return r;
	if ((r = mm_map_stack(mm, STACK_TOP, STACK_INITIAL)))
		return r;
	return exec_build_stack(img, mm, path, a, sp);
}

/* Point of no return passed: install mm and the fresh register state. */
static void exec_commit(struct exec_image *img, struct mm *mm, const char *path, u64 sp)
{
	struct task *t = current;
	struct mm *old = t->mm;
	t->mm = mm;
	mmu_switch(mm->root);
	if (old)
		mm_put(old);
	fork_release_vfork_parent(t); /* it no longer runs in the parent's memory */
	struct trap_frame *tf = t->tf;
	memset(tf, 0, sizeof(*tf));
	tf->rip = img->eh.e_entry + img->bias;
	tf->rsp = sp;
	tf->cs = USER_CS_SEL;
	tf->ss = USER_DS_SEL;
	tf->rflags = RFLAGS_IF | 0x2;
	tf->vector = SYSCALL_VECTOR;
	t->fs_base = 0;
	wrmsr(MSR_FS_BASE, 0);
	task_fpu_reset(t);
	__asm__ volatile("fxrstor64 %0" ::"m"(t->fpu));
	t->clear_child_tid = 0;
	for (int i = 0; i < NSIG; i++)
		if (t->sigactions[i].handler != SIG_IGN)
			t->sigactions[i] = (struct k_sigaction){ 0 };
	const char *base = strrchr(path, '/');
	strlcpy(t->comm, base ? base + 1 : path, sizeof(t->comm));
	if (t->files)
		files_close_on_exec(t->files);
}

int do_execve(const char *path, struct exec_args *a)
{
	struct exec_image *img = kzalloc(sizeof(*img));
	struct mm *mm = NULL;
	u64 sp = 0;
	int r = -ENOMEM;
	if (!img)
		return -ENOMEM;
	img->file = vfs_open_exec(path, &img->file_len_bytes);
	if (IS_ERR(img->file)) {
		r = PTR_ERR(img->file);
		goto free_img;
	}
	if ((r = exec_read_headers(img)))
		goto put_file;
	if (!(mm = mm_create())) {
		r = -ENOMEM;
		goto put_file;
	}
	if ((r = exec_build_mm(img, mm, path, a, &sp)))
		goto put_mm;
	exec_commit(img, mm, path, sp);
	file_put(img->file);
	kfree(img);
	return 0;
put_mm:
	mm_put(mm);
put_file:
	file_put(img->file);
free_img:
	kfree(img);
	return r;
}
