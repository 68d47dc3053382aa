# Vireo: the one entry point for building, running and testing.
#
#   make            build build/vireo.elf
#   make run        boot it in QEMU on the serial console
#   make test       all test tiers; ends with "N passed, N failed"
#   make iso        build/vireo.iso (GRUB, Multiboot2, BIOS and UEFI)
#   make gdb        attach gdb to a `make run-debug` QEMU
#   make bench      Vireo and a Linux guest side by side (bench/results/)
#
# Options (run): MACHINE=q35|pc|microvm ACCEL=tcg|kvm UEFI=on BOOT=iso
#                SMP=N MEM=size CMDLINE="..." DISK=image|none

ifeq ($(origin CC),default)
CC := gcc
endif
LD      := ld
NM      := nm
OBJCOPY := objcopy
PYTHON  := python3

BUILD   ?= build
O       := $(BUILD)/obj

MACHINE ?= q35
ACCEL   ?= tcg
SMP     ?= 2
MEM     ?= 256M
UEFI    ?= off
BOOT    ?= pvh
# `make run` boots the default root image (images/mkroot.sh) from a
# virtio-blk disk: a copy that keeps what a session writes until the image
# is rebuilt. DISK=none boots without one; a CMDLINE given replaces the
# default, root= included.
DISK    ?= $(BUILD)/run-root.ext2
CMDLINE ?= console=ttyS0$(if $(filter-out none,$(DISK)), root=/dev/vda rootfstype=ext2)

# Subsystem folders that make up the kernel image (DESIGN.md, Layout).
KERNEL_DIRS := kernel pci virtio net vfs fs sysfs
KSRCS := $(shell find $(wildcard $(KERNEL_DIRS)) \( -name '*.c' -o -name '*.S' \) 2>/dev/null | sort)
KOBJS := $(patsubst %,$(O)/%.o,$(basename $(KSRCS)))

# The compiler's own freestanding headers (stdint.h, stddef.h, stdarg.h)
# plus a curated directory of maintained ABI headers; nothing from libc.
CC_INC := $(shell $(CC) -print-file-name=include)
INC    := $(BUILD)/include

KCFLAGS := -std=gnu11 -O2 -g -ffreestanding -nostdinc -isystem $(CC_INC) \
	-I. -I$(INC) -mcmodel=kernel -mno-red-zone -mgeneral-regs-only \
	-fno-pic -fno-pie -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-fno-optimize-sibling-calls \
	-fstack-protector-strong -mstack-protector-guard=global \
	-fno-asynchronous-unwind-tables -fno-strict-aliasing -fno-common \
	-Wall -Wextra -Werror -Wno-unused-parameter -MMD -MP
ifeq ($(findstring clang,$(notdir $(CC))),clang)
KCFLAGS += -Wno-gnu-variable-sized-type-not-at-end
endif
KAFLAGS := -D__ASSEMBLY__ -nostdinc -I. -I$(INC) -g -MMD -MP
LDFLAGS := -nostdlib -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments
LDSCRIPT := kernel/arch/x86_64/kernel.ld

.PHONY: all kernel deps run run-debug gdb iso test unit clean bench bench-guest bench-kernel fuzz fuzz-build
all: kernel
kernel: $(BUILD)/vireo.elf

deps:
	@sh scripts/deps.sh

# ---- curated ABI header directory ---------------------------------------
$(INC)/.stamp:
	@mkdir -p $(INC)
	@ln -sfn /usr/include/linux $(INC)/linux
	@ln -sfn /usr/include/x86_64-linux-gnu/asm $(INC)/asm
	@ln -sfn /usr/include/asm-generic $(INC)/asm-generic
	@ln -sfn /usr/include/ext2fs $(INC)/ext2fs
	@ln -sfn /usr/include/xen $(INC)/xen
	@touch $@

# ---- kernel ---------------------------------------------------------------
# Rebuild everything when the compiler or its flags change.
FLAGS_STAMP := $(BUILD)/.flags-$(shell echo '$(CC) $(KCFLAGS) $(KAFLAGS)' | md5sum | cut -c1-12)
$(FLAGS_STAMP):
	@mkdir -p $(BUILD)
	@rm -f $(BUILD)/.flags-*
	@touch $@

$(O)/%.o: %.c $(INC)/.stamp $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KCFLAGS) -c $< -o $@

$(O)/%.o: %.S $(INC)/.stamp $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(KAFLAGS) -c $< -o $@

# Two links: the first has an empty symbol table; its text symbols are
# turned into .ksyms and linked again. .ksyms sits after all code, so text
# addresses cannot move between the passes (checked below).
$(BUILD)/ksyms0.S:
	@mkdir -p $(BUILD)
	@sh scripts/mksyms.sh /dev/null > $@

$(BUILD)/vireo.pass1.elf: $(KOBJS) $(BUILD)/ksyms0.o $(LDSCRIPT)
	@echo "  LD      $@"
	@$(LD) $(LDFLAGS) -T $(LDSCRIPT) -o $@ $(KOBJS) $(BUILD)/ksyms0.o

$(BUILD)/ksyms.S: $(BUILD)/vireo.pass1.elf scripts/mksyms.sh
	@$(NM) -n --defined-only $< | sh scripts/mksyms.sh - > $@

$(BUILD)/%.o: $(BUILD)/%.S
	@$(CC) $(KAFLAGS) -c $< -o $@

$(BUILD)/vireo.elf: $(BUILD)/vireo.pass1.elf $(BUILD)/ksyms.o
	@echo "  LD      $@"
	@$(LD) $(LDFLAGS) -T $(LDSCRIPT) -o $@ $(KOBJS) $(BUILD)/ksyms.o
	@$(NM) -n $(BUILD)/vireo.pass1.elf | grep -i ' t ' > $(BUILD)/syms.1
	@$(NM) -n $@ | grep -i ' t ' > $(BUILD)/syms.2
	@cmp -s $(BUILD)/syms.1 $(BUILD)/syms.2 || { echo "ksyms: text moved between link passes" >&2; rm -f $@; exit 1; }

-include $(KOBJS:.o=.d)

# ---- images -----------------------------------------------------------------
include userspace/userspace.mk

iso: $(BUILD)/vireo.iso
$(BUILD)/vireo.iso: $(BUILD)/vireo.elf images/mkiso.sh
	@echo "  ISO     $@"
	@sh images/mkiso.sh $@ $(BUILD)/vireo.elf "$(CMDLINE)"

# ---- run --------------------------------------------------------------------
RUN_ISO := $(if $(filter on,$(UEFI)),$(BUILD)/vireo.iso,$(if $(filter iso,$(BOOT)),$(BUILD)/vireo.iso,))
RUN_DISK := $(filter-out none,$(DISK))
run: deps kernel $(RUN_ISO) $(RUN_DISK)
	@$(PYTHON) tests/qemu.py --machine $(MACHINE) --accel $(ACCEL) --smp $(SMP) \
		--mem $(MEM) --uefi $(UEFI) --boot $(BOOT) --cmdline "$(CMDLINE)" \
		--kernel $(BUILD)/vireo.elf --iso $(BUILD)/vireo.iso --interactive \
		$(if $(RUN_DISK),--disk $(RUN_DISK))

$(BUILD)/run-root.ext2: $(BUILD)/rootfs.ext2
	@cp $< $@

run-debug: deps kernel $(RUN_ISO) $(RUN_DISK)
	@$(PYTHON) tests/qemu.py --machine $(MACHINE) --accel $(ACCEL) --smp $(SMP) \
		--mem $(MEM) --uefi $(UEFI) --boot $(BOOT) --cmdline "$(CMDLINE)" \
		--kernel $(BUILD)/vireo.elf --iso $(BUILD)/vireo.iso --interactive --gdb \
		$(if $(RUN_DISK),--disk $(RUN_DISK))

gdb: kernel
	gdb -x scripts/vireo.gdb $(BUILD)/vireo.elf

# ---- tests --------------------------------------------------------------------
comma := ,
# Host unit tests: pure modules compiled for the host with sanitizers.
UCFLAGS := -std=gnu11 -O1 -g -I. -fsanitize=address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=all -Wall -Wextra -Werror \
	-Wno-unused-parameter -DHOST_TEST
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/test_*.c))

# Each unit test names the kernel sources it exercises in a "// uses:" line;
# $@.d lists every source and header it was built from, so editing a used
# source rebuilds it.
$(BUILD)/unit/%: tests/unit/%.c tests/unit/unit.h $(INC)/.stamp
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	@srcs="$< $$(sed -n 's,^// uses: *,,p' $<)"; \
	$(CC) $(UCFLAGS) -I$(INC)/hostonly -o $@ $$srcs && \
	for s in $$srcs; do $(CC) $(UCFLAGS) -I$(INC)/hostonly -MM -MP -MT $@ $$s || exit 1; done > $@.d

-include $(UNIT_TESTS:=.d)

unit: $(UNIT_TESTS)

# libFuzzer targets (tests/fuzz/fuzz_*.c), built with clang like the unit
# tests ("// uses:" lines). `make fuzz` runs each for FUZZ_SECONDS;
# `make test` runs them briefly (tests/integration/test_ext2_fuzz.py).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FCFLAGS := $(filter-out -fsanitize=address$(comma)undefined,$(UCFLAGS)) \
	-fsanitize=fuzzer,address,undefined

$(BUILD)/fuzz/%: tests/fuzz/%.c $(INC)/.stamp
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	@srcs="$< $$(sed -n 's,^// uses: *,,p' $<)"; \
	clang $(FCFLAGS) -o $@ $$srcs && \
	for s in $$srcs; do clang $(FCFLAGS) -MM -MP -MT $@ $$s || exit 1; done > $@.d

-include $(FUZZ_TARGETS:=.d)

fuzz-build: $(FUZZ_TARGETS)

fuzz: $(FUZZ_TARGETS)
	@for t in $(FUZZ_TARGETS); do sh tests/fuzz/run.sh $$(basename $$t) $(FUZZ_SECONDS) || exit 1; done

test: deps
	@ACCEL=$(ACCEL) $(PYTHON) tests/run.py $(if $(T),--filter '$(T)')

# Side-by-side benchmarks (bench/README.md): the same static programs on
# Vireo and on Debian's Linux kernel, same QEMU line. BENCH_ARGS go to
# bench/compare.py (e.g. --rounds 3). The per-subsystem in-kernel benches
# stay separate: `make bench-kernel`.
BENCH_GUEST := $(patsubst bench/guest/%.c,$(BUILD)/bench/guest/%,$(wildcard bench/guest/*.c))
BENCH_GUEST_CFLAGS := -static -O2 -s -Wall -Wextra -Werror -Wno-unused-parameter \
	-idirafter $(INC)

$(BUILD)/bench/guest/%: bench/guest/%.c bench/guest/bench.h $(INC)/.stamp
	@mkdir -p $(dir $@)
	@echo "  MUSLCC  $<"
	@musl-gcc $(BENCH_GUEST_CFLAGS) -o $@ $<

bench-guest: $(BENCH_GUEST)

bench:
	@sh scripts/deps.sh bench
	@$(MAKE) --no-print-directory kernel bench-guest
	@$(PYTHON) bench/compare.py $(BENCH_ARGS)

bench-kernel: deps kernel
	@$(PYTHON) bench/boot.py
	@$(PYTHON) bench/blk.py

clean:
	rm -rf $(BUILD)
