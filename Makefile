# cowix build. `make run` boots to a shell; `make test` proves every claim.
# BUILD may point elsewhere so several builds can coexist (BUILD=/tmp/b make).

BUILD   ?= build
CC      := gcc
MUSLCC  ?= musl-gcc
HOSTCC  ?= gcc
Q       ?= @

KCFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie \
	   -fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	   -mno-red-zone -mcmodel=kernel -mgeneral-regs-only -fno-strict-aliasing \
	   -fcf-protection=none -Iinclude -MMD -MP
KASFLAGS := -Iinclude -MMD -MP -D__ASSEMBLY__
KLDFLAGS := -nostdlib -static -no-pie -z max-page-size=4096 -z noexecstack --no-warn-rwx-segments -T kernel/kernel.ld

KSRCS := $(sort $(shell find kernel -name '*.c'))
KASMS := $(sort $(shell find kernel -name '*.S'))
KOBJS := $(patsubst %.c,$(BUILD)/%.o,$(KSRCS)) $(patsubst %.S,$(BUILD)/%.o,$(KASMS))
KERNEL := $(BUILD)/cowix.elf

UCFLAGS := -static -O2 -g -Wall -Wextra -Werror -std=gnu11 -Iuser/include
UTESTS  := $(patsubst user/tests/%.c,$(BUILD)/user/tests/%,$(sort $(wildcard user/tests/*.c)))
UPROGS  := $(patsubst user/%.c,$(BUILD)/user/bin/%,$(sort $(wildcard user/*.c)))
UBENCH  := $(patsubst user/bench/%.c,$(BUILD)/user/bench/%,$(sort $(wildcard user/bench/*.c)))
ULIB    := $(sort $(wildcard user/lib/*.c))

HOSTCFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined \
	      -fno-omit-frame-pointer -fno-sanitize-recover=all -Iinclude -Itests/host -DHOST_TEST
HOSTTESTS := $(patsubst tests/host/%.c,$(BUILD)/host/%,$(sort $(wildcard tests/host/test_*.c)))

.PHONY: all kernel user rootfs run test test-host test-unit bench deps clean format
all: kernel user rootfs

deps:
	$(Q)tools/deps

kernel: $(KERNEL)

$(BUILD)/kernel/%.o: kernel/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@
$(BUILD)/kernel/%.o: kernel/%.S
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KASFLAGS) -c $< -o $@

# Two-pass link: the second pass carries the text symbol table for backtraces.
# The table sits at the end of .rodata, so text addresses do not move.
$(BUILD)/kallsyms0.c: tools/kallsyms
	@mkdir -p $(BUILD)
	$(Q)tools/kallsyms > $@
$(BUILD)/cowix.pass1: $(KOBJS) $(BUILD)/kallsyms0.o kernel/kernel.ld
	$(Q)ld $(KLDFLAGS) -o $@ $(KOBJS) $(BUILD)/kallsyms0.o
$(BUILD)/kallsyms1.c: $(BUILD)/cowix.pass1 tools/kallsyms
	$(Q)tools/kallsyms $< > $@
$(BUILD)/kallsyms%.o: $(BUILD)/kallsyms%.c
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@
$(KERNEL): $(BUILD)/cowix.pass1 $(BUILD)/kallsyms1.o
	$(Q)ld $(KLDFLAGS) -o $@ $(KOBJS) $(BUILD)/kallsyms1.o
	@echo "  LD      $@"

# User programs: static musl binaries that also run on the host Linux.
user: $(UTESTS) $(UPROGS) $(UBENCH)
$(BUILD)/user/tests/%: user/tests/%.c $(ULIB) $(wildcard user/include/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(MUSLCC) $(UCFLAGS) -o $@ $< $(ULIB)
# user/tests/dyn_*.c: the same, but dynamically linked (musl's loader, /lib/ld-musl-x86_64.so.1).
$(BUILD)/user/tests/dyn_%: user/tests/dyn_%.c $(ULIB) $(wildcard user/include/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(MUSLCC) $(filter-out -static,$(UCFLAGS)) -o $@ $< $(ULIB)
$(BUILD)/user/bin/%: user/%.c $(ULIB) $(wildcard user/include/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(MUSLCC) $(UCFLAGS) -o $@ $< $(ULIB)
$(BUILD)/user/bench/%: user/bench/%.c $(ULIB) $(wildcard user/include/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(MUSLCC) $(UCFLAGS) -o $@ $< $(ULIB)

# The root filesystem tree that tools/qrun packs (with its extras) into the initramfs.
rootfs: user
	$(Q)tools/mkrootfs $(BUILD)

run: deps all
	$(Q)tools/run

# Host unit tests of the kernel's pure parts, under ASan and UBSan.
$(BUILD)/host/%: tests/host/%.c $(wildcard tests/host/*.h) $(KSRCS)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOSTCFLAGS) -o $@ $< $(shell sed -n 's,^// HOSTSRC: ,,p' $<)
test-unit: $(HOSTTESTS)

test: deps all test-unit
	$(Q)BUILD=$(BUILD) tools/runtests

test-host: deps user
	$(Q)BUILD=$(BUILD) tools/runtests --host

bench: deps all
	$(Q)BUILD=$(BUILD) bench/run $(BENCH_ARGS)

format:
	clang-format -i $(KSRCS) $(shell find include user tests -name '*.[ch]')

clean:
	rm -rf $(BUILD)

-include $(KOBJS:.o=.d)
