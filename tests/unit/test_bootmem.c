// uses: kernel/mm/bootmem.c
/* Boot memory map sanitizing, reservations and early allocation. */
#include "tests/unit/unit.h"
#include "kernel/mm/bootmem.h"
#include "kernel/lib/errno.h"

static struct bootmem bm;

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

/* What QEMU q35 with -m 4G reports (SeaBIOS e820), unsorted, plus the
 * zero-length type-0 entry microvm's firmware appends. */
static const struct boot_mem_region q35_4g[] = {
	{ 0x100000000ULL, 0x80000000ULL, BOOT_MEM_RAM },
	{ 0x0, 0x9fc00, BOOT_MEM_RAM },
	{ 0x9fc00, 0x400, BOOT_MEM_RESERVED },
	{ 0xf0000, 0x10000, BOOT_MEM_RESERVED },
	{ 0x100000, 0x7fedf000, BOOT_MEM_RAM },
	{ 0x7ffdf000, 0x21000, BOOT_MEM_RESERVED },
	{ 0xb0000000, 0x10000000, BOOT_MEM_RESERVED },
	{ 0, 0, 0 },
};

UNIT_TEST(bootmem_sanitizes_qemu_map)
{
	bootmem_set_map(&bm, q35_4g, sizeof(q35_4g) / sizeof(q35_4g[0]));
	EXPECT_EQ(bm.nr_map, 7);
	/* RAM shrinks to whole pages: 0x9fc00 -> 0x9f000; the reserved
	 * neighbour grows down to cover the partial page. */
	EXPECT_EQ(bm.map[0].base, 0);
	EXPECT_EQ(bm.map[0].end, 0x9f000);
	EXPECT_EQ(bm.map[0].type, BOOT_MEM_RAM);
	EXPECT_EQ(bm.map[1].base, 0x9f000);
	EXPECT_EQ(bm.map[1].end, 0xa0000);
	EXPECT_EQ(bm.map[1].type, BOOT_MEM_RESERVED);
	EXPECT_EQ(bm.map[6].base, 4 * GiB);
	EXPECT_EQ(bm.map[6].end, 6 * GiB);
	for (u32 i = 1; i < bm.nr_map; i++)
		EXPECT(bm.map[i - 1].end <= bm.map[i].base);
	EXPECT_EQ(bootmem_ram_bytes(&bm), 0x9f000 + 0x7fedf000 + 2 * GiB);
}

UNIT_TEST(bootmem_overlap_stricter_type_wins)
{
	static const struct boot_mem_region r[] = {
		{ 0x0, 16 * MiB, BOOT_MEM_RAM },
		{ 4 * MiB, 1 * MiB, BOOT_MEM_ACPI },
		{ 4 * MiB + 0x800, 0x100, BOOT_MEM_RESERVED },
		{ 8 * MiB, 2 * MiB, 77 },                       /* unknown type */
		{ 12 * MiB, 8 * MiB, BOOT_MEM_RAM },             /* overlapping RAM */
		{ 0xffffffffffff0000ULL, 0x20000, BOOT_MEM_RAM }, /* wraps */
	};

	static const struct bootmem_range want[] = {
		{ 0, 4 * MiB, BOOT_MEM_RAM },
		{ 4 * MiB, 4 * MiB + 0x1000, BOOT_MEM_RESERVED },
		{ 4 * MiB + 0x1000, 5 * MiB, BOOT_MEM_ACPI },
		{ 5 * MiB, 8 * MiB, BOOT_MEM_RAM },
		{ 8 * MiB, 10 * MiB, BOOT_MEM_RESERVED },
		{ 10 * MiB, 20 * MiB, BOOT_MEM_RAM },
	};

	bootmem_set_map(&bm, r, sizeof(r) / sizeof(r[0]));
	EXPECT_EQ(bm.nr_map, 6);
	for (u32 i = 0; i < 6; i++) {
		EXPECT_EQ(bm.map[i].base, want[i].base);
		EXPECT_EQ(bm.map[i].end, want[i].end);
		EXPECT_EQ(bm.map[i].type, want[i].type);
	}
}

static u64 seen_base[16], seen_end[16];
static int nseen;

static void collect(u64 base, u64 end, void *arg)
{
	seen_base[nseen] = base;
	seen_end[nseen] = end;
	nseen++;
}

UNIT_TEST(bootmem_reserve_merges_and_alloc_avoids)
{
	static const struct boot_mem_region r[] = {
		{ 0x0, 0x9fc00, BOOT_MEM_RAM },
		{ 1 * MiB, 63 * MiB, BOOT_MEM_RAM },
	};
	u64 a, b2;

	memset(&bm, 0, sizeof(bm));
	bootmem_set_map(&bm, r, 2);
	EXPECT_EQ(bootmem_reserve(&bm, 0, 1 * MiB), 0);
	EXPECT_EQ(bootmem_reserve(&bm, 1 * MiB + 0x10, 0x2000), 0);  /* widens */
	EXPECT_EQ(bootmem_reserve(&bm, 3 * MiB, 0x1000), 0);
	EXPECT_EQ(bm.nr_rsv, 2);                /* [0, 1M+12K) merged */
	EXPECT_EQ(bm.rsv[0].end, 1 * MiB + 0x3000);
	a = bootmem_alloc(&bm, 0x1000, 0x1000, 4ULL << 30);
	EXPECT_EQ(a, 1 * MiB + 0x3000);
	b2 = bootmem_alloc(&bm, 2 * MiB, 2 * MiB, 4ULL << 30);
	EXPECT_EQ(b2, 4 * MiB);                 /* 2M-aligned, skips 3M */
	EXPECT_EQ(bootmem_alloc(&bm, 0x1000, 0, 0x100000), 0);   /* limit */
	EXPECT_EQ(bootmem_alloc(&bm, 128 * MiB, 0, ~0ULL), 0);  /* too big */
	nseen = 0;
	bootmem_for_each_free(&bm, collect, NULL);
	EXPECT_EQ(nseen, 3);
	EXPECT_EQ(seen_base[0], 1 * MiB + 0x4000);
	EXPECT_EQ(seen_end[0], 3 * MiB);
	EXPECT_EQ(seen_base[1], 3 * MiB + 0x1000);
	EXPECT_EQ(seen_end[1], 4 * MiB);
	EXPECT_EQ(seen_base[2], 6 * MiB);
	EXPECT_EQ(seen_end[2], 64 * MiB);
	/* A reservation bridging several merges them into one. */
	EXPECT_EQ(bootmem_reserve(&bm, 2 * MiB, 5 * MiB), 0);
	EXPECT_EQ(bm.nr_rsv, 2);
	EXPECT_EQ(bm.rsv[1].base, 2 * MiB);
	EXPECT_EQ(bm.rsv[1].end, 7 * MiB);
}

UNIT_TEST(bootmem_reserve_table_full)
{
	memset(&bm, 0, sizeof(bm));
	for (u64 i = 0; i < BOOTMEM_RESERVED_MAX; i++)
		EXPECT_EQ(bootmem_reserve(&bm, i * 0x10000, 0x1000), 0);
	EXPECT_EQ(bootmem_reserve(&bm, 0x10000000, 0x1000), -ENOSPC);
	/* Touching an existing entry still works: it merges. */
	EXPECT_EQ(bootmem_reserve(&bm, 0x1000, 0x1000), 0);
	EXPECT_EQ(bm.nr_rsv, BOOTMEM_RESERVED_MAX);
}
