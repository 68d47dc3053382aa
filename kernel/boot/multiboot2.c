/* Multiboot2 boot information (spec §3.6) -> struct boot_info. */
#include "kernel/boot/boot_info.h"
#include "kernel/boot/multiboot2.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/lib/compiler.h"
#include "kernel/lib/string.h"
#include "kernel/lib/errno.h"

/* GRUB passes a copy of the RSDP, not its address; keep the copy in the
 * kernel image so it outlives the boot information's memory. */
static u8 mb2_rsdp_copy[36] __aligned(16);

int mb2_parse(u64 mbi_phys, struct boot_info *bi)
{
	const struct mb2_info *info = phys_to_virt(mbi_phys);
	const u8 *p = (const u8 *)(info + 1);
	const u8 *end = (const u8 *)info + info->total_size;

	if (info->total_size < sizeof(*info) + sizeof(struct mb2_tag))
		return -EINVAL;
	bi->proto = BOOT_PROTO_MULTIBOOT2;

	/* Tags are 8-byte aligned (§3.6.1) and end with a type-0 tag. */
	while (p + sizeof(struct mb2_tag) <= end) {
		const struct mb2_tag *t = (const void *)p;

		if (t->type == MB2_TAG_END || t->size < sizeof(*t))
			break;
		switch (t->type) {
		case MB2_TAG_CMDLINE:
			strlcpy(bi->cmdline, ((const struct mb2_tag_string *)t)->string,
				sizeof(bi->cmdline));
			break;
		case MB2_TAG_LOADER_NAME:
			strlcpy(bi->loader, ((const struct mb2_tag_string *)t)->string,
				sizeof(bi->loader));
			break;
		case MB2_TAG_MODULE: {
			const struct mb2_tag_module *m = (const void *)t;

			boot_add_module(bi, m->mod_start, m->mod_end - m->mod_start,
					m->cmdline);
			break;
		}
		case MB2_TAG_MMAP: {
			const struct mb2_tag_mmap *mm = (const void *)t;
			const u8 *e = (const u8 *)mm->entries;

			if (mm->entry_size < sizeof(struct mb2_mmap_entry))
				break;
			for (; e + mm->entry_size <= p + t->size; e += mm->entry_size) {
				const struct mb2_mmap_entry *me = (const void *)e;

				boot_add_mem(bi, me->addr, me->len, me->type);
			}
			break;
		}
		case MB2_TAG_FRAMEBUFFER: {
			const struct mb2_tag_framebuffer *fb = (const void *)t;

			bi->has_fb = true;
			bi->fb.addr = fb->addr;
			bi->fb.pitch = fb->pitch;
			bi->fb.width = fb->width;
			bi->fb.height = fb->height;
			bi->fb.bpp = fb->bpp;
			bi->fb.type = fb->fb_type;
			break;
		}
		case MB2_TAG_EFI64:
			bi->efi_systab_phys = ((const struct mb2_tag_efi64 *)t)->pointer;
			break;
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW: {
			const struct mb2_tag_acpi *a = (const void *)t;
			size_t n = t->size - sizeof(*t);

			/* Prefer the ACPI 2.0+ RSDP (XSDT) if both are given. */
			if (bi->rsdp_phys && t->type == MB2_TAG_ACPI_OLD)
				break;
			memcpy(mb2_rsdp_copy, a->rsdp, MIN(n, sizeof(mb2_rsdp_copy)));
			bi->rsdp_phys = virt_to_phys(mb2_rsdp_copy);
			break;
		}
		}
		p += ALIGN_UP(t->size, 8);
	}
	return 0;
}
