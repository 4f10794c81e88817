/*
 * PVH entry: QEMU's -kernel finds the XEN_ELFNOTE_PHYS32_ENTRY note below and
 * jumps to pvh_start in 32-bit protected mode, paging off, with %ebx holding
 * the physical address of struct hvm_start_info.
 *
 * We build just enough page tables to reach long mode and the higher half:
 * the first 1 GiB of physical memory is mapped three times with 2 MiB pages,
 * at 0 (identity, for the instruction after paging is switched on), at the
 * direct-map base and at the kernel image base. mm_init() replaces all of it
 * with the real tables. This code runs at its physical address, so it lives
 * in the low .boot section whose VMA equals its LMA.
 */
#define KERNEL_VMA      0xffffffff80000000
#define PML4_DIRECT     273     /* 0xffff888000000000 >> 39 & 511 */
#define PTE_P           0x1
#define PTE_W           0x2
#define PTE_PS          0x80

	.section .note.pvh, "a"
	.p2align 2
	.long 4                 /* namesz: "Xen\0" */
	.long 4                 /* descsz */
	.long 18                /* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long pvh_start

	.section .boot.text, "ax"
	.code32
	.globl pvh_start
pvh_start:
	cli
	cld
	movl %ebx, boot_info_phys
	movl $boot_stack32_top, %esp

	/* PD: 512 x 2 MiB identity entries covering 1 GiB. */
	movl $boot_pd, %edi
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_P | PTE_W | PTE_PS), %eax
	movl %eax, (%edi, %ecx, 8)
	movl $0, 4(%edi, %ecx, 8)
	incl %ecx
	cmpl $512, %ecx
	jne 1b

	/* pdpt_low[0] -> pd (identity and direct map), pdpt_high[510] -> pd (kernel). */
	movl $boot_pd, %eax
	orl $(PTE_P | PTE_W), %eax
	movl %eax, boot_pdpt_low
	movl %eax, boot_pdpt_high + 510 * 8

	movl $boot_pdpt_low, %eax
	orl $(PTE_P | PTE_W), %eax
	movl %eax, boot_pml4
	movl %eax, boot_pml4 + PML4_DIRECT * 8
	movl $boot_pdpt_high, %eax
	orl $(PTE_P | PTE_W), %eax
	movl %eax, boot_pml4 + 511 * 8

	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $0x20, %eax                 /* PAE */
	movl %eax, %cr4
	movl $0xc0000080, %ecx          /* EFER: LME | NXE */
	rdmsr
	orl $0x900, %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80010001, %eax           /* PG | WP | PE */
	movl %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $0x08, $long_mode

	.code64
long_mode:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movabsq $higher_half, %rax
	jmp *%rax

	.section .boot.data, "aw"
	.p2align 3
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff        /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff        /* 0x10: data */
boot_gdt_ptr:
	.word boot_gdt_ptr - boot_gdt - 1
	.long boot_gdt
	.globl boot_info_phys
boot_info_phys:
	.long 0

	.section .boot.bss, "aw", @nobits
	.p2align 12
	.globl boot_pml4
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pdpt_high: .skip 4096
boot_pd:        .skip 4096
boot_stack32:   .skip 256
boot_stack32_top:

	.text
higher_half:
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	movl boot_info_phys, %edi       /* zero-extends: phys address of hvm_start_info */
	call kmain
2:	cli
	hlt
	jmp 2b

	.bss
	.p2align 12
	.globl boot_stack, boot_stack_top
boot_stack:
	.skip 16384
boot_stack_top:
