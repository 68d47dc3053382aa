// uses: vfs/fdtable.c
/*
 * Descriptor slots: lowest-first allocation (with a minimum, as F_DUPFD),
 * reuse of closed slots below the hint, growth past the initial size up to
 * the limit and -EMFILE at it, close-on-exec bits surviving growth and
 * copy, and allocation failure leaving the table intact.
 */
#include "tests/unit/unit.h"
#include "vfs/fdtable.h"
#include "kernel/lib/errno.h"
#include "kernel/mm/kmalloc.h"

static int fail_allocs;

void *kmalloc(size_t size, gfp_t flags)
{
	if (fail_allocs)
		return NULL;
	return flags & __GFP_ZERO ? calloc(1, size) : malloc(size);
}

void *kzalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags | __GFP_ZERO);
}

void kfree(const void *p)
{
	free((void *)p);
}

static struct file *F(int n)
{
	return (struct file *)(uintptr_t)(0x1000 + 16 * n);
}

static int install(struct fdtable *t, u32 min, u32 limit, int n)
{
	int fd = fdt_find_free(t, min, limit);

	if (fd >= 0)
		fdt_set(t, (u32)fd, F(n), false);
	return fd;
}

UNIT_TEST(allocates_lowest_first)
{
	struct fdtable t;

	fdt_init(&t);
	EXPECT_EQ(install(&t, 0, 1024, 0), 0);
	EXPECT_EQ(install(&t, 0, 1024, 1), 1);
	EXPECT_EQ(install(&t, 0, 1024, 2), 2);
	fdt_set(&t, 1, NULL, false);
	EXPECT_EQ(install(&t, 0, 1024, 3), 1);
	EXPECT(fdt_get(&t, 1) == F(3));
	EXPECT_EQ(install(&t, 0, 1024, 4), 3);
	EXPECT_EQ(t.used, 4);
	fdt_free(&t);
}

UNIT_TEST(minimum_is_honoured)
{
	struct fdtable t;

	fdt_init(&t);
	EXPECT_EQ(install(&t, 10, 1024, 0), 10);
	EXPECT_EQ(install(&t, 0, 1024, 1), 0);
	EXPECT_EQ(install(&t, 10, 1024, 2), 11);
	EXPECT_EQ(install(&t, 200, 1024, 3), 200);
	EXPECT(t.size >= 201);
	EXPECT_EQ(fdt_max_used(&t), 201);
	fdt_free(&t);
}

UNIT_TEST(grows_to_limit_then_emfile)
{
	struct fdtable t;

	fdt_init(&t);
	for (int i = 0; i < 300; i++)
		EXPECT_EQ(install(&t, 0, 300, i), i);
	EXPECT_EQ(install(&t, 0, 300, 999), -EMFILE);
	EXPECT_EQ(fdt_find_free(&t, 300, 300), -EMFILE);
	for (int i = 0; i < 300; i++)
		EXPECT(fdt_get(&t, (u32)i) == F(i));
	fdt_free(&t);
}

UNIT_TEST(cloexec_survives_growth_and_copy)
{
	struct fdtable t, c;

	fdt_init(&t);
	fdt_init(&c);
	EXPECT_EQ(install(&t, 0, 4096, 0), 0);
	fdt_set(&t, 0, F(0), true);
	EXPECT_EQ(install(&t, 63, 4096, 1), 63);
	fdt_set_cloexec(&t, 63, true);
	EXPECT_EQ(install(&t, 1000, 4096, 2), 1000);
	EXPECT(fdt_cloexec(&t, 0));
	EXPECT(fdt_cloexec(&t, 63));
	EXPECT(!fdt_cloexec(&t, 1000));
	EXPECT(!fdt_cloexec(&t, 5000));
	EXPECT_EQ(fdt_copy(&c, &t), 0);
	EXPECT(fdt_cloexec(&c, 63));
	EXPECT(fdt_get(&c, 1000) == F(2));
	EXPECT_EQ(c.used, 3);
	fdt_set(&t, 0, NULL, true);
	EXPECT(!fdt_cloexec(&t, 0));
	fdt_free(&t);
	fdt_free(&c);
}

UNIT_TEST(allocation_failure_keeps_table)
{
	struct fdtable t;

	fdt_init(&t);
	for (int i = 0; i < (int)FDT_MIN_SIZE; i++)
		install(&t, 0, 1024, i);
	fail_allocs = 1;
	EXPECT_EQ(install(&t, 0, 1024, 99), -ENOMEM);
	fail_allocs = 0;
	EXPECT_EQ(t.size, FDT_MIN_SIZE);
	EXPECT(fdt_get(&t, 5) == F(5));
	EXPECT_EQ(install(&t, 0, 1024, 99), (int)FDT_MIN_SIZE);
	fdt_free(&t);
}
