/*
 * Claim: exec zero-fills the BSS correctly even where it shares a page
 * with the file's data. In this binary's file the bytes right after the
 * data segment's p_filesz are not zero (other sections follow); in memory
 * every byte from p_filesz to the end of that page reads zero, because the
 * last file page is a private copy with its tail cleared, and so does the
 * rest of an untouched BSS array. The BSS is writable, and the file itself
 * is left unchanged.
 */
#include <elf.h>
#include <fcntl.h>
#include <mmtest.h>
#include <stdint.h>
#include <string.h>
#include <tap.h>
#include <unistd.h>

static unsigned char bss[3 * MT_PAGE]; /* makes sure the BSS spans pages */
static unsigned char data[100] = { 1, 2, 3 };
extern char __executable_start[];

/* The writable PT_LOAD with a BSS (p_memsz > p_filesz) of the file at fd. */
static bool find_bss_segment(int fd, Elf64_Phdr *out, Elf64_Ehdr *eh)
{
	Elf64_Phdr ph;
	if (pread(fd, eh, sizeof(*eh), 0) != sizeof(*eh))
		return false;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh->e_phoff + i * sizeof(ph)) != sizeof(ph))
			return false;
		if (ph.p_type == PT_LOAD && ph.p_memsz > ph.p_filesz && (ph.p_flags & PF_W)) {
			*out = ph;
			return true;
		}
	}
	return false;
}

/* Non-zero bytes in the file from the end of the segment's data to the end of that page. */
static int file_tail_nonzero(int fd, const Elf64_Phdr *ph, size_t tail)
{
	unsigned char buf[MT_PAGE];
	ssize_t n = pread(fd, buf, tail, ph->p_offset + ph->p_filesz);
	int count = 0;
	for (ssize_t i = 0; i < n; i++)
		count += buf[i] != 0;
	return count;
}

int main(int argc, char **argv)
{
	(void)argc;
	int fd = open(argv[0], O_RDONLY);
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	if (fd < 0 || !find_bss_segment(fd, &ph, &eh))
		tap_bail("cannot read this program's own program headers from %s", argv[0]);
	uintptr_t bias = eh.e_type == ET_DYN ? (uintptr_t)__executable_start : 0;
	uintptr_t file_end = bias + ph.p_vaddr + ph.p_filesz,
		  mem_end = bias + ph.p_vaddr + ph.p_memsz;
	size_t tail = (MT_PAGE - file_end % MT_PAGE) % MT_PAGE;
	int dirty = file_tail_nonzero(fd, &ph, tail);
	tap_diag("data ends at %#lx, %zu bytes to the page end, %d of them non-zero in the file",
		 (unsigned long)file_end, tail, dirty);
	CHECK(tail > 0 && dirty > 0,
	      "the file has non-zero bytes after the data, in its last page");
	/* Only this file's bss[] (linked first) and padding may sit there: libc writes its own. */
	CHECK((uintptr_t)bss + sizeof(bss) >= file_end + tail,
	      "that page's BSS part holds only this program's untouched array");
	CHECK(mt_all_zero((const unsigned char *)file_end, tail),
	      "in memory those bytes read zero");
	CHECK(mt_all_zero(bss, sizeof(bss)), "the whole array (%zu bytes) reads zero", sizeof(bss));
	CHECK(data[2] == 3 && (uintptr_t)bss >= file_end && (uintptr_t)bss < mem_end,
	      "initialised data is there, the BSS array lies in the BSS");
	memset(bss, 0x77, sizeof(bss));
	*(volatile unsigned char *)file_end = 0x55;
	CHECK(bss[MT_PAGE] == 0x77 && *(volatile unsigned char *)file_end == 0x55,
	      "the BSS is writable, its first byte too");
	CHECK_EQ(file_tail_nonzero(fd, &ph, tail), dirty, "the file is unchanged");
	close(fd);
	return tap_done();
}
