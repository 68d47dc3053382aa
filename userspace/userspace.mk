# Userspace: the project's own programs, static musl binaries
# (musl-gcc -static, as DESIGN.md says), built into $(BUILD)/userspace/:
#   init                 the default /sbin/init
#   lspci                busybox's lspci (Debian's busybox-static lacks it)
#   tests/*              test programs (tests/integration/test_proc*.py)
#   bench/*              benchmarks (bench/proc.py), also runnable on Linux
# tests/hello is also built as a static PIE (tests/hello-pie).
MUSL_CC      ?= musl-gcc
USER_CFLAGS  := -static -O2 -g0 -s -Wall -Wextra -Werror -Wno-unused-parameter \
		-D_GNU_SOURCE -Iuserspace -I.
USER_SRCS    := $(wildcard userspace/*.c userspace/tests/*.c userspace/bench/*.c)
USER_BINS    := $(patsubst userspace/%.c,$(BUILD)/userspace/%,$(USER_SRCS)) \
		$(BUILD)/userspace/tests/hello-pie

$(BUILD)/userspace/%: userspace/%.c $(wildcard userspace/*.h)
	@mkdir -p $(dir $@)
	@echo "  MUSLCC  $<"
	@$(MUSL_CC) $(USER_CFLAGS) -o $@ $< $(USER_LIBS)

# Pure kernel code some programs share with the kernel (the same source,
# not a copy): the network tests hash with kernel/lib/sha256.c.
USER_SHA256  := $(BUILD)/userspace/tests/t_net $(BUILD)/userspace/tests/t_net_get
$(USER_SHA256): USER_LIBS := kernel/lib/sha256.c
$(USER_SHA256): kernel/lib/sha256.c kernel/lib/sha256.h userspace/tests/t_net_sha256.h

# musl-gcc's specs always name a dynamic linker for -static-pie; link by
# hand with musl's self-relocating start file instead (no PT_INTERP).
MUSL_LIB     ?= /usr/lib/x86_64-linux-musl
$(BUILD)/userspace/tests/hello-pie: userspace/tests/hello.c
	@mkdir -p $(dir $@)
	@echo "  MUSLCC  $< (static-pie)"
	@$(MUSL_CC) $(filter-out -static -s,$(USER_CFLAGS)) -fPIE -c -o $@.o $<
	@$(CC) -nostdlib -static-pie -s -o $@ $(MUSL_LIB)/rcrt1.o $(MUSL_LIB)/crti.o \
		$@.o $(MUSL_LIB)/libc.a $$($(CC) -print-libgcc-file-name) $(MUSL_LIB)/crtn.o
	@rm -f $@.o

.PHONY: userspace rootfs initramfs
userspace: $(USER_BINS)

# The default root file system (ext2) and the same tree as an initramfs.
USER_SCRIPTS := $(wildcard userspace/scripts/*.sh)
$(BUILD)/rootfs.ext2: $(USER_BINS) $(USER_SCRIPTS) images/mkroot.sh
	@echo "  MKROOT  $@"
	@sh images/mkroot.sh $@ $(BUILD)/userspace
$(BUILD)/initramfs.cpio: $(USER_BINS) $(USER_SCRIPTS) images/mkroot.sh
	@echo "  MKROOT  $@"
	@sh images/mkroot.sh --cpio $@ $(BUILD)/userspace
rootfs: $(BUILD)/rootfs.ext2
initramfs: $(BUILD)/initramfs.cpio
