/*
 * execve's parts, shared by kernel/proc/exec.c (the flow, the stack, the
 * switch), exec_load.c (mapping ELF images from the page cache) and
 * exec_script.c ("#!" interpreter scripts). Not for use elsewhere.
 */
#pragma once
#include <proc/elf.h>
#include <proc/exec.h>
#include <types.h>

struct file;
struct mm;

#define ET_DYN_BASE 0x555555554000ul /* where PIE images go, as on Linux without ASLR */
#define STACK_SIZE  (8ul << 20)	     /* the most the main stack may grow to */
#define STACK_TOP   USER_TOP
/* Bytes of a file examined to tell ELF from "#!" (Linux's BINPRM_BUF_SIZE). */
#define EXEC_PEEK_BYTES 256

/* An executable file and everything the loader learned about it. */
struct exec_image {
	struct file *file; /* a reference, or NULL */
	u64 file_len_bytes;
	struct elf64_ehdr eh;
	struct elf64_phdr ph[ELF_MAX_PHNUM];
	struct elf_info info;
	u64 bias; /* added to every p_vaddr: where the image was put */
};

/* Open path as an executable (regular, an x bit) into img. 0 or a negative errno. */
int exec_image_open(struct exec_image *img, const char *path);
/* Drop the file reference, if any. */
void exec_image_close(struct exec_image *img);
/* Read and check the ELF and program headers. 0, -ENOEXEC, -EINVAL, -ENOMEM. */
int exec_image_read_headers(struct exec_image *img);
/*
 * main has a PT_INTERP: open the dynamic loader it names into interp and
 * check its headers (it must be an ELF executable or shared object).
 */
int exec_image_open_interp(struct exec_image *main, struct exec_image *interp);
/*
 * Choose img's bias and map all its PT_LOAD segments into mm: the main
 * program at its own addresses (a PIE at ET_DYN_BASE), the interpreter
 * wherever mmap finds room for its whole span.
 */
int exec_image_map(struct exec_image *img, struct mm *mm, bool is_interp);

/*
 * buf (EXEC_PEEK_BYTES, zero-padded) starts with "#!": rewrite a's argv to
 * run the interpreter (argv[0] replaced by: interpreter, the optional
 * argument, script_path) and store the interpreter's path in interp
 * (EXEC_PEEK_BYTES bytes). 0, -ENOEXEC for a missing or truncated
 * interpreter name, -E2BIG.
 */
int exec_script_rewrite(const char *buf, const char *script_path, struct exec_args *a,
			char *interp);
