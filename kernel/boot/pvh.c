/*
 * PVH boot: struct hvm_start_info (layout from Xen's installed public
 * header, xen/arch-x86/hvm/start_info.h) -> struct boot_info.
 */
#include "kernel/boot/boot_info.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/lib/string.h"
#include "kernel/lib/errno.h"
#include <xen/arch-x86/hvm/start_info.h>

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info v1");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "hvm memmap entry");

int pvh_parse(u64 start_info_phys, struct boot_info *bi)
{
	const struct hvm_start_info *si = phys_to_virt(start_info_phys);

	if (si->magic != XEN_HVM_START_MAGIC_VALUE)
		return -EINVAL;
	bi->proto = BOOT_PROTO_PVH;
	if (si->cmdline_paddr)
		strlcpy(bi->cmdline, phys_to_virt(si->cmdline_paddr),
			sizeof(bi->cmdline));
	bi->rsdp_phys = si->version >= 1 ? si->rsdp_paddr : 0;

	if (si->nr_modules && si->modlist_paddr) {
		const struct hvm_modlist_entry *m = phys_to_virt(si->modlist_paddr);

		for (u32 i = 0; i < si->nr_modules; i++)
			boot_add_module(bi, m[i].paddr, m[i].size,
					m[i].cmdline_paddr ?
					phys_to_virt(m[i].cmdline_paddr) : "");
	}

	/* Version 1 added the memory map; without it there is no safe way to
	 * know RAM here, and the memory manager will refuse to start. */
	if (si->version >= 1 && si->memmap_paddr) {
		const struct hvm_memmap_table_entry *e = phys_to_virt(si->memmap_paddr);

		for (u32 i = 0; i < si->memmap_entries; i++)
			boot_add_mem(bi, e[i].addr, e[i].size, e[i].type);
	}
	return 0;
}
