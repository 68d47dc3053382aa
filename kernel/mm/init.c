/*
 * mm_init: from the loader's memory map to a running memory manager (see
 * mm.h). Order matters:
 *   1. bootmem: sanitize the map, reserve what must never be handed out;
 *   2. kernel_as: build the new page tables (frames from bootmem, below
 *      4 GiB, which boot.S's tables can reach), turn the CPU protections
 *      on, and switch to them;
 *   3. pmm: frame descriptors and the buddy allocator get every frame
 *      bootmem did not keep; page tables come from pmm from now on;
 *   4. kmalloc, kernel stacks, ioremap.
 * Failure here is fatal (there is no kernel without memory), so it panics
 * with the reason.
 */
#include "kernel/mm/mm.h"
#include "kernel/mm/internal.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/vmm.h"
#include "kernel/acpi/acpi.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/paging.h"
#include "kernel/boot/cmdline.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"

/* Highest physical address the memory manager uses: frame numbers are
 * 32-bit (page.h) and the direct map is DIRECT_MAP_SIZE long. */
#define MM_PHYS_LIMIT ((PFN_LIMIT - 1) << PAGE_SHIFT)
_Static_assert(MM_PHYS_LIMIT <= DIRECT_MAP_SIZE, "direct map too small");

#define ACPI_SANE_LEN (16u << 20)

static struct bootmem bm;

extern char __kernel_end[];

static void reserve(u64 base, u64 len, const char *what)
{
	if (bootmem_reserve(&bm, base, len))
		panic("mm: boot reservation table full (%s)", what);
}

/* Drop what lies beyond MM_PHYS_LIMIT, loudly. */
static void clip_map(void)
{
	for (u32 i = 0; i < bm.nr_map; i++) {
		struct bootmem_range *r = &bm.map[i];

		if (r->end <= MM_PHYS_LIMIT)
			continue;
		if (r->type == BOOT_MEM_RAM)
			pr_warn("mm: ignoring RAM above %lu GiB: [%#lx-%#lx]\n",
				(unsigned long)(MM_PHYS_LIMIT >> 30),
				(unsigned long)MAX(r->base, MM_PHYS_LIMIT),
				(unsigned long)(r->end - 1));
		r->end = MAX(r->base, MM_PHYS_LIMIT);
	}
	while (bm.nr_map && bm.map[bm.nr_map - 1].base >= MM_PHYS_LIMIT)
		bm.nr_map--;
}

/* A table header's length, if it can be read now (boot.S maps 4 GiB). */
static u32 acpi_len(u64 phys)
{
	const struct acpi_header *h;

	if (!phys || phys >= (4ULL << 30) - sizeof(*h))
		return 0;
	h = phys_to_virt(phys);
	return h->length <= ACPI_SANE_LEN ? h->length : 0;
}

static void reserve_acpi_table(u64 phys)
{
	u32 len = acpi_len(phys);

	/* Unreadable (above 4 GiB): keep its first page at least. */
	reserve(phys, len ? len : PAGE_SIZE, "ACPI");
}

/*
 * ACPI tables must survive in place (acpi.c reads them for the kernel's
 * whole life). Loaders normally put them in ACPI, NVS or reserved ranges,
 * which the buddy never sees; this walk also keeps them when a loader put
 * them in RAM. No checksums here: acpi.c checks them before use, and
 * keeping a bad table's pages costs nothing.
 */
static void reserve_acpi(u64 rsdp_phys)
{
	const struct acpi_rsdp *rsdp;
	const struct acpi_header *root;
	const struct acpi_fadt *fadt;
	u64 root_phys;
	bool xsdt;
	u32 n;

	if (!rsdp_phys || rsdp_phys >= (4ULL << 30) - sizeof(*rsdp))
		return;
	rsdp = phys_to_virt(rsdp_phys);
	if (memcmp(rsdp->signature, "RSD PTR ", 8))
		return;
	reserve(rsdp_phys, sizeof(*rsdp), "RSDP");
	xsdt = rsdp->revision >= 2 && rsdp->xsdt_address && acpi_len(rsdp->xsdt_address);
	root_phys = xsdt ? rsdp->xsdt_address : rsdp->rsdt_address;
	if (!acpi_len(root_phys))
		return;
	reserve_acpi_table(root_phys);
	root = phys_to_virt(root_phys);
	n = (root->length - (u32)MIN(root->length, sizeof(*root))) / (xsdt ? 8 : 4);
	for (u32 i = 0; i < n; i++) {
		const u8 *e = (const u8 *)(root + 1) + i * (xsdt ? 8 : 4);
		u64 phys = 0;

		memcpy(&phys, e, xsdt ? 8 : 4);
		if (!phys)
			continue;
		reserve_acpi_table(phys);
		/* The FADT points at two more: the DSDT and the FACS. */
		if (acpi_len(phys) < __builtin_offsetof(struct acpi_fadt, x_dsdt) ||
		    memcmp(((const struct acpi_header *)phys_to_virt(phys))->signature, "FACP", 4))
			continue;
		fadt = phys_to_virt(phys);
		if (fadt->dsdt)
			reserve_acpi_table(fadt->dsdt);
		if (fadt->firmware_ctrl)
			reserve_acpi_table(fadt->firmware_ctrl);
		if (fadt->hdr.length >= __builtin_offsetof(struct acpi_fadt, x_pm1a_evt_blk)) {
			if (fadt->x_dsdt)
				reserve_acpi_table(fadt->x_dsdt);
			if (fadt->x_firmware_ctrl)
				reserve_acpi_table(fadt->x_firmware_ctrl);
		}
	}
}

/* slab_debug: on with `test` (the in-kernel tests run with it), forced by
 * slab_debug or slab_debug=1, off with slab_debug=0. */
static bool want_slab_debug(const char *cmdline)
{
	char v[8];

	if (cmdline_get(cmdline, "slab_debug", v, sizeof(v)))
		return strcmp(v, "0") != 0;
	return cmdline_get(cmdline, "test", NULL, 0);
}

static void mm_report(void)
{
	u64 top = 0;

	for (u32 i = 0; i < bm.nr_map; i++)
		if (bm.map[i].type == BOOT_MEM_RAM)
			top = bm.map[i].end;
	pr_info("mm: %lu MiB RAM in %u ranges, highest address %#lx, all direct-mapped\n",
		(unsigned long)(pmm_ram_count() >> (20 - PAGE_SHIFT)), mem_map.nr,
		(unsigned long)(top - 1));
	pr_info("mm: %lu of %lu frames free (%lu MiB); %lu kept at boot (kernel, first MiB, tables)\n",
		(unsigned long)pmm_free_count(), (unsigned long)pmm_total_count(),
		(unsigned long)(pmm_free_count() >> (20 - PAGE_SHIFT)),
		(unsigned long)(pmm_ram_count() - pmm_total_count()));
	pr_info("mm: pages 4K/2M%s; NX %s, SMEP %s, SMAP %s, WP on; slab debug %s\n",
		paging_cpu.gbpages ? "/1G" : "", paging_cpu.nx ? "on" : "absent",
		paging_cpu.smep ? "on" : "absent", paging_cpu.smap ? "on" : "absent",
		kmalloc_debug_enabled() ? "on" : "off");
}

void mm_init(const struct boot_info *bi)
{
	bootmem_set_map(&bm, bi->mem, bi->nr_mem);
	clip_map();
	if (!bootmem_ram_bytes(&bm))
		panic("mm: the boot memory map lists no RAM");
	reserve(KERNEL_PHYS, virt_to_phys(__kernel_end) - KERNEL_PHYS, "kernel");
	for (u32 i = 0; i < bi->nr_modules; i++)
		reserve(bi->modules[i].base, bi->modules[i].len, "module");
	reserve_acpi(bi->rsdp_phys);
	pmm_reserve_low(&bm);

	paging_detect();
	vmm_init_kernel(&bm);
	paging_cpu_enable();
	as_switch(&kernel_as);

	pmm_init(&bm);
	vmm_boot_done();
	kmalloc_init(want_slab_debug(bi->cmdline));
	kstack_init();
	ioremap_init();
	mm_report();
}
