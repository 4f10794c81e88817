/*
 * execve(): find the program (following "#!" scripts to their interpreter,
 * exec_script.c), map it and its dynamic loader from the page cache into a
 * fresh address space (exec_load.c), build Linux's initial stack, and
 * switch the task over.
 *
 * Order matters: everything that can fail (opening, checking, mapping,
 * building the stack) happens in the NEW address space while the old one
 * is still intact, so a failed exec returns an errno to a caller that can
 * carry on. Only then are the process's other threads killed
 * (exec_group.c), the point of no return passed and the old image dropped.
 * The new image runs in the thread group leader's task, which need not be
 * the caller's.
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
#include <mm/page.h>
#include <mm/mm.h>
#include <proc/elf.h>
#include <proc/exec.h>
#include <proc/fork.h>
#include <proc/task.h>
#include <uapi/errno.h>
#include "exec_internal.h"

#define STACK_INITIAL (128ul << 10) /* mapped at exec; faults grow it */
/* How many "#!" scripts may lead to the real program (Linux: 5 rewrites, then ELOOP). */
#define EXEC_MAX_SCRIPTS 5

enum auxv_type {
	AT_NULL = 0,
	AT_PHDR = 3,
	AT_PHENT = 4,
	AT_PHNUM = 5,
	AT_PAGESZ = 6,
	AT_BASE = 7,
	AT_FLAGS = 8,
	AT_ENTRY = 9,
	AT_UID = 11,
	AT_EUID = 12,
	AT_GID = 13,
	AT_EGID = 14,
	AT_PLATFORM = 15,
	AT_HWCAP = 16,
	AT_CLKTCK = 17,
	AT_SECURE = 23,
	AT_RANDOM = 25,
	AT_HWCAP2 = 26,
	AT_EXECFN = 31,
	AT_MINSIGSTKSZ = 51,
};
#define AUXV_MAX_PAIRS 24

int exec_args_init(struct exec_args *a)
{
	a->buf = kmalloc(EXEC_ARGS_MAX, GFP_NOINIT); /* filled before it is read */
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
		long n =
		    strncpy_from_user(a->buf + a->len_bytes, ustr, EXEC_ARGS_MAX - a->len_bytes);
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

/* One execve in progress. */
struct exec_ctx {
	const char *filename;		/* as passed to execve: AT_EXECFN, comm */
	char path[PATH_MAX];		/* the file to open next ("#!" rewrites it) */
	char peek[EXEC_PEEK_BYTES];	/* its first bytes, zero-padded */
	struct exec_image main, interp; /* interp.file is NULL for a static program */
	struct mm *mm;			/* the new address space, until installed */
	u64 sp;				/* its initial stack pointer */
	struct files_struct *files;	/* an unshared copy of the fd table, or NULL */
};

/* Stack under construction: a kernel copy of [sp, STACK_TOP). */
struct stack_builder {
	char *buf; /* buf[i] is the byte at user address base + i */
	u64 base;  /* user address of buf[0] */
	u64 sp;	   /* current lowest used user address */
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
static int exec_fill_auxv(u64 *auxv, struct exec_ctx *ctx, u64 random_va, u64 execfn_va,
			  u64 platform_va)
{
	struct exec_image *img = &ctx->main;
	u64 interp_base = ctx->interp.file ? ctx->interp.bias : 0;
	u64 pairs[][2] = {
		{ AT_HWCAP, cpu_hwcap() },
		{ AT_PAGESZ, PAGE_SIZE },
		{ AT_CLKTCK, 100 },
		{ AT_PHDR, img->info.phdr_vaddr ? img->info.phdr_vaddr + img->bias : 0 },
		{ AT_PHENT, sizeof(struct elf64_phdr) },
		{ AT_PHNUM, img->eh.e_phnum },
		{ AT_BASE, interp_base },
		{ AT_FLAGS, 0 },
		{ AT_ENTRY, img->eh.e_entry + img->bias },
		{ AT_UID, 0 },
		{ AT_EUID, 0 },
		{ AT_GID, 0 },
		{ AT_EGID, 0 },
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
static int exec_build_stack(struct exec_ctx *ctx, struct mm *mm, struct exec_args *a, u64 *sp_out)
{
	const char *path = ctx->filename;
	size_t path_len = strlen(path) + 1;
	size_t vec_slots = 1 + a->argc + 1 + a->envc + 1 + 2 * AUXV_MAX_PAIRS;
	size_t need = 8 + path_len + a->len_bytes + 16 + 8 + 16 + vec_slots * 8 + 16;
	struct stack_builder s = { .buf = kmalloc(need, GFP_NOINIT),
				   .base = STACK_TOP - need,
				   .sp = STACK_TOP };
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
	int nauxv = exec_fill_auxv(auxv, ctx, random_va, execfn_va, platform_va);
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

/*
 * Open ctx->path and look at its first bytes. 0 with ctx->main open, or a
 * negative errno.
 */
static int exec_open_peek(struct exec_ctx *ctx)
{
	exec_image_close(&ctx->main);
	int r = exec_image_open(&ctx->main, ctx->path);
	if (r)
		return r;
	memset(ctx->peek, 0, sizeof(ctx->peek));
	ssize_t n = kernel_read(ctx->main.file, ctx->peek, sizeof(ctx->peek), 0);
	return n < 0 ? (int)n : 0;
}

/*
 * Follow "#!" scripts to the ELF file that will run, rewriting argv on
 * the way. Each script's path goes into argv, and its interpreter is
 * opened next. 0 with ctx->main open on an ELF file; -ENOEXEC for a file
 * that is neither; -ELOOP for too many scripts in a row.
 */
static int exec_find_program(struct exec_ctx *ctx, struct exec_args *a)
{
	static const char elf_magic[4] = { 0x7f, 'E', 'L', 'F' };
	char interp[EXEC_PEEK_BYTES];
	for (int depth = 0;; depth++) {
		int r = exec_open_peek(ctx);
		if (r)
			return r;
		if (!memcmp(ctx->peek, elf_magic, sizeof(elf_magic)))
			return 0;
		if (ctx->peek[0] != '#' || ctx->peek[1] != '!')
			return -ENOEXEC;
		if (depth == EXEC_MAX_SCRIPTS)
			return -ELOOP;
		if ((r = exec_script_rewrite(ctx->peek, ctx->path, a, interp)))
			return r;
		strlcpy(ctx->path, interp, sizeof(ctx->path));
	}
}

/* The program's headers, and its dynamic loader's if it names one. */
static int exec_read_images(struct exec_ctx *ctx)
{
	int r = exec_image_read_headers(&ctx->main);
	if (!r && ctx->main.info.interp_index >= 0)
		r = exec_image_open_interp(&ctx->main, &ctx->interp);
	return r;
}

/* Build the complete new address space: images, heap, stack. */
static int exec_build_mm(struct exec_ctx *ctx, struct mm *mm, struct exec_args *a, u64 *sp)
{
	struct exec_image *img = &ctx->main;
	int r = exec_image_map(img, mm, false);
	if (!r && ctx->interp.file)
		r = exec_image_map(&ctx->interp, mm, true);
	if (!r)
		r = mm_set_brk_start(mm, img->info.hi_vaddr + img->bias);
	if (!r)
		r = mm_map_stack(mm, STACK_TOP, STACK_INITIAL);
	return r ? r : exec_build_stack(ctx, mm, a, sp);
}

/* Where the new program starts: in its dynamic loader, if it has one. */
static u64 exec_entry(const struct exec_ctx *ctx)
{
	const struct exec_image *img = ctx->interp.file ? &ctx->interp : &ctx->main;
	return img->eh.e_entry + img->bias;
}

/* execve unshares the fd table (undoing CLONE_FILES): a copy if anyone else holds ours. */
static int exec_unshare_files(struct exec_ctx *ctx)
{
	struct files_struct *files = current->files;
	if (!files || atomic_read(&files->refcount) == 1)
		return 0;
	ctx->files = files_dup(files);
	return ctx->files ? 0 : -ENOMEM;
}

/* Everything that can fail, while the caller's image is intact: 0 with ctx->mm built. */
static int exec_prepare(struct exec_ctx *ctx, const char *path, struct exec_args *a)
{
	int r;
	ctx->filename = path;
	if (strlcpy(ctx->path, path, sizeof(ctx->path)) >= sizeof(ctx->path))
		return -ENAMETOOLONG;
	if ((r = exec_find_program(ctx, a)) || (r = exec_read_images(ctx)))
		return r;
	if (!(ctx->mm = mm_create()))
		return -ENOMEM;
	if ((r = exec_build_mm(ctx, ctx->mm, a, &ctx->sp)))
		return r;
	return exec_unshare_files(ctx);
}

/* Give t the new address space (and unshared fd table), then drop the old ones. */
static void exec_install(struct exec_ctx *ctx, struct task *t)
{
	struct mm *old_mm = t->mm;
	struct files_struct *old_files = ctx->files ? t->files : NULL;
	spin_lock(&task_lock); /* /proc follows t->mm and t->files under task_lock */
	t->mm = ctx->mm;
	if (ctx->files)
		t->files = ctx->files;
	spin_unlock(&task_lock);
	if (t == current)
		mmu_switch(t->mm->root);
	ctx->mm = NULL;
	ctx->files = NULL;
	if (old_mm)
		mm_put(old_mm);
	if (old_files)
		files_put(old_files);
}

/* t enters the new image at entry with stack sp, a clean FPU and no TLS. */
static void exec_reset_cpu(struct task *t, u64 entry, u64 sp)
{
	struct trap_frame *tf = t->tf;
	memset(tf, 0, sizeof(*tf));
	tf->rip = entry;
	tf->rsp = sp;
	tf->cs = USER_CS_SEL;
	tf->ss = USER_DS_SEL;
	tf->rflags = RFLAGS_IF | 0x2;
	tf->vector = SYSCALL_VECTOR;
	t->fs_base = 0;
	task_fpu_reset(t);
	if (t != current)
		return; /* another task loads its state when it is switched to */
	wrmsr(MSR_FS_BASE, 0);
	__asm__ volatile("fxrstor64 %0" ::"m"(t->fpu));
}

/* Point of no return passed: load the new image into t (current or its leader). */
static void exec_commit(struct exec_ctx *ctx, struct task *t)
{
	const char *path = ctx->filename;
	exec_install(ctx, t);
	fork_release_vfork_parent(current); /* it no longer runs in the parent's memory */
	exec_reset_cpu(t, exec_entry(ctx), ctx->sp);
	t->clear_child_tid = 0;
	t->robust_list = 0;
	signal_exec(t); /* dispositions, altstack, POSIX timers, exit signal, setpgid's EACCES */
	const char *base = strrchr(path, '/');
	strlcpy(t->comm, base ? base + 1 : path, sizeof(t->comm));
	if (t->files)
		files_close_on_exec(t->files);
}

static void exec_ctx_free(struct exec_ctx *ctx)
{
	exec_image_close(&ctx->main);
	exec_image_close(&ctx->interp);
	if (ctx->mm)
		mm_put(ctx->mm);
	if (ctx->files)
		files_put(ctx->files);
	kfree(ctx);
}

int do_execve(const char *path, struct exec_args *a)
{
	struct exec_ctx *ctx = kzalloc(sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	int r = exec_prepare(ctx, path, a);
	if (!r)
		r = exec_group_kill_others();
	if (!r) {
		struct task *t = exec_group_take_over();
		exec_commit(ctx, t);
		exec_group_start(t);
	}
	exec_ctx_free(ctx);
	return r;
}
