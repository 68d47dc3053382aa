/*
 * Multiboot2 constants and boot-information tag layouts, from the
 * Multiboot2 specification (version 2.0, §3.1 header, §3.6 boot info).
 * Debian ships no header for Multiboot2 (package multiboot has version 1
 * only), so the layouts are written here and pinned with static asserts.
 * Usable from assembly for the header constants.
 */
#ifndef VIREO_BOOT_MULTIBOOT2_H
#define VIREO_BOOT_MULTIBOOT2_H

#define MB2_HEADER_MAGIC        0xe85250d6  /* §3.1.1 */
#define MB2_BOOTLOADER_MAGIC    0x36d76289  /* §3.2: in EAX at entry */
#define MB2_ARCH_I386           0
#define MB2_HEADER_TAG_END      0
#define MB2_HEADER_TAG_ENTRY    3           /* §3.1.6 entry address */
#define MB2_HEADER_TAG_FLAGS    4           /* §3.1.7 console flags */

/* §3.6 boot information tag types */
#define MB2_TAG_END             0
#define MB2_TAG_CMDLINE         1
#define MB2_TAG_LOADER_NAME     2
#define MB2_TAG_MODULE          3
#define MB2_TAG_BASIC_MEMINFO   4
#define MB2_TAG_MMAP            6
#define MB2_TAG_FRAMEBUFFER     8
#define MB2_TAG_EFI64           12
#define MB2_TAG_ACPI_OLD        14
#define MB2_TAG_ACPI_NEW        15

#ifndef __ASSEMBLY__
#include "kernel/lib/types.h"

struct mb2_info {            /* §3.6.1 fixed part */
	u32 total_size;
	u32 reserved;
};

struct mb2_tag {
	u32 type;
	u32 size;
};

struct mb2_tag_string {      /* §3.6.3 cmdline, §3.6.4 loader name */
	u32 type;
	u32 size;
	char string[];
};

struct mb2_tag_module {      /* §3.6.6 */
	u32 type;
	u32 size;
	u32 mod_start;
	u32 mod_end;
	char cmdline[];
};

struct mb2_mmap_entry {      /* §3.6.8 */
	u64 addr;
	u64 len;
	u32 type;
	u32 zero;
};

struct mb2_tag_mmap {
	u32 type;
	u32 size;
	u32 entry_size;
	u32 entry_version;
	struct mb2_mmap_entry entries[];
};

struct mb2_tag_framebuffer { /* §3.6.12, common part */
	u32 type;
	u32 size;
	u64 addr;
	u32 pitch;
	u32 width;
	u32 height;
	u8 bpp;
	u8 fb_type;
	u16 reserved;
};

struct mb2_tag_efi64 {       /* §3.6.14 */
	u32 type;
	u32 size;
	u64 pointer;
};

struct mb2_tag_acpi {        /* §3.6.16/17: a copy of the RSDP */
	u32 type;
	u32 size;
	u8 rsdp[];
};

_Static_assert(sizeof(struct mb2_mmap_entry) == 24, "mb2 mmap entry");
_Static_assert(__builtin_offsetof(struct mb2_tag_mmap, entries) == 16, "mb2 mmap");
_Static_assert(sizeof(struct mb2_tag_framebuffer) == 32, "mb2 framebuffer");
_Static_assert(__builtin_offsetof(struct mb2_tag_module, cmdline) == 16, "mb2 module");
#endif

#endif
