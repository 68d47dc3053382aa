/*
 * What the boot protocol told us, in one protocol-neutral structure.
 * Filled by kernel/boot/pvh.c or kernel/boot/multiboot2.c before kmain().
 * Arrays are bounded because they are filled before any allocator exists;
 * an overflow is reported, not silently dropped.
 */
#ifndef VIREO_BOOT_BOOT_INFO_H
#define VIREO_BOOT_BOOT_INFO_H

#include "kernel/lib/types.h"

#define BOOT_CMDLINE_MAX 2048   /* Linux's COMMAND_LINE_SIZE on x86 */
#define BOOT_MEM_MAX     128    /* Linux's E820_MAX_ENTRIES_ZEROPAGE */
#define BOOT_MODULES_MAX 16

enum boot_proto {
	BOOT_PROTO_PVH = 1,
	BOOT_PROTO_MULTIBOOT2 = 2,
};

/* Memory types: the ACPI/E820 numbering, which both protocols use. */
enum boot_mem_type {
	BOOT_MEM_RAM = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI = 3,
	BOOT_MEM_NVS = 4,
	BOOT_MEM_UNUSABLE = 5,
};

struct boot_mem_region {
	u64 base;
	u64 len;
	u32 type;
};

struct boot_module {
	u64 base;
	u64 len;
	char cmdline[128];
};

struct boot_fb {
	u64 addr;          /* physical */
	u32 pitch;
	u32 width;
	u32 height;
	u8 bpp;
	u8 type;           /* 0 indexed, 1 RGB, 2 EGA text (Multiboot2) */
};

struct boot_info {
	enum boot_proto proto;
	char cmdline[BOOT_CMDLINE_MAX];
	u64 rsdp_phys;                 /* 0 if the loader gave none */
	u64 efi_systab_phys;           /* 0 unless booted from UEFI */
	u32 nr_mem;
	bool mem_truncated;
	struct boot_mem_region mem[BOOT_MEM_MAX];
	u32 nr_modules;
	bool modules_truncated;
	struct boot_module modules[BOOT_MODULES_MAX];
	bool has_fb;
	struct boot_fb fb;
	char loader[64];               /* boot loader name, if known */
};

const char *boot_proto_name(enum boot_proto p);

/* Protocol parsers: return 0 or -EINVAL on a bad magic/structure. */
int pvh_parse(u64 start_info_phys, struct boot_info *bi);
int mb2_parse(u64 mbi_phys, struct boot_info *bi);

/* Helpers shared by the parsers. */
void boot_add_mem(struct boot_info *bi, u64 base, u64 len, u32 type);
void boot_add_module(struct boot_info *bi, u64 base, u64 len, const char *cmd);

/* The one boot_info, valid for the kernel's whole life. */
extern const struct boot_info *boot_info;

#endif
