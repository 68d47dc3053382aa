// uses: tests/unit/kshim.c tests/unit/ext2_util.c vfs/buffer.c fs/ext2/super.c fs/ext2/alloc.c fs/ext2/inode.c fs/ext2/dir.c fs/ext2/namei.c kernel/lib/printf.c
/*
 * ext2 read path against images made by mke2fs -d (images/mkext2.py):
 * every file, directory and symlink of the staged tree must read back
 * the same from the image, in every shape (1/2/4 KiB blocks, 128/256-byte
 * inodes, revision 0, no filetype, a triple-indirect sparse file, a
 * 2000-entry htree directory). Then the mount-time refusals.
 */
#include "tests/unit/unit.h"
#include <stdio.h>
#include <sys/stat.h>
#include "tests/unit/ext2_util.h"
#include "tests/unit/kshim.h"
#include "fs/ext2/internal.h"
#include "kernel/lib/errno.h"

static void read_shape(const char *shape, char *why, size_t len, int *ret)
{
	char img[256], tree[256];
	struct ext2u m;
	int err;

	ext2u_images();
	snprintf(img, sizeof(img), "%s/%s.img", EXT2U_DIR, shape);
	snprintf(tree, sizeof(tree), "%s/%s.tree", EXT2U_DIR, shape);
	err = ext2u_mount(img, true, &m);
	if (err) {
		snprintf(why, len, "mount: %d", err);
		*ret = -1;
		return;
	}
	*ret = ext2u_compare(m.fs, ext2_root_ino(), tree, why, len);
	if (ext2u_umount(&m) && !*ret) {
		snprintf(why, len, "unmount failed");
		*ret = -1;
	}
}

#define READ_CASE(fn, shape)                                            \
	UNIT_TEST(fn)                                                   \
	{                                                               \
		char why[512] = "";                                     \
		int ret;                                                \
		read_shape(shape, why, sizeof(why), &ret);              \
		if (ret)                                                \
			printf("# %s\n", why);                          \
		EXPECT_EQ(ret, 0);                                      \
	}

READ_CASE(read_matches_tree_1k_blocks_128_inodes_triple_indirect, "b1k-i128")
READ_CASE(read_matches_tree_2k_blocks_256_inodes, "b2k-i256")
READ_CASE(read_matches_tree_4k_blocks_sparse_5g_large_file, "b4k-i256")
READ_CASE(read_matches_tree_htree_dir_2000_entries, "dirindex")
READ_CASE(read_matches_tree_revision_0, "rev0")
READ_CASE(read_matches_tree_without_filetype, "nofiletype")

static int count_entries(void *ctx, const char *name, u32 len, u32 ino, u32 dtype,
			 u64 next)
{
	(*(int *)ctx)++;
	return 0;
}

UNIT_TEST(htree_dir_is_indexed_and_lists_every_entry)
{
	struct ext2_stat st;
	struct ext2u m;
	u32 ino;
	u64 pos = 0;
	int n = 0;
	char out[512];

	ext2u_images();
	/* The image really carries an index (else this proves nothing). */
	EXPECT_EQ(ext2u_sh(out, sizeof(out), "debugfs -R 'stat /big' %s/dirindex.img 2>/dev/null | grep -c 'Flags: 0x1000'",
			   EXT2U_DIR), 0);
	EXPECT_EQ(ext2u_mount(EXT2U_DIR "/dirindex.img", true, &m), 0);
	EXPECT_EQ(ext2u_resolve(m.fs, "/big", &ino), 0);
	EXPECT_EQ(ext2_readdir(m.fs, ino, &pos, count_entries, &n), 0);
	EXPECT_EQ(n, 2002);
	EXPECT_EQ(ext2u_resolve(m.fs, "/big/entry-1999-" "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", &ino), 0);
	EXPECT_EQ(ext2_stat(m.fs, ino, &st), 0);
	EXPECT_EQ(st.size, 5);
	EXPECT_EQ(ext2u_umount(&m), 0);
}

UNIT_TEST(sequential_read_uses_readahead)
{
	struct bcache_stats before, after;
	struct ext2_ra ra = { 0 };
	static char buf[4096];
	struct ext2u m;
	u32 ino;

	ext2u_images();
	EXPECT_EQ(ext2u_mount(EXT2U_DIR "/b1k-i128.img", true, &m), 0);
	EXPECT_EQ(ext2u_resolve(m.fs, "/double.bin", &ino), 0);
	bcache_get_stats(&before);
	for (u64 off = 0; off < 200 * 1024; off += sizeof(buf))
		EXPECT_EQ(ext2_read(m.fs, ino, off, buf, sizeof(buf), &ra), sizeof(buf));
	bcache_get_stats(&after);
	EXPECT(after.readahead - before.readahead >= 190);
	EXPECT(after.ra_hits - before.ra_hits >= 150);
	EXPECT_EQ(ext2u_umount(&m), 0);
}

static u32 big_inos[2100];

static int collect_ino(void *ctx, const char *name, u32 len, u32 ino, u32 dtype, u64 next)
{
	u32 *n = ctx;

	if (*n < sizeof(big_inos) / sizeof(big_inos[0]))
		big_inos[(*n)++] = ino;
	return 0;
}

/* Stat-ing a directory's 2000 entries reads their inodes, which sit
 * together in the inode table: an inode table block that is not cached
 * brings the next ones with it (ext2_iget), so most blocks are read-ahead
 * hits, not reads of their own. */
UNIT_TEST(inode_table_reads_ahead)
{
	struct bcache_stats before, after;
	struct ext2_stat st;
	struct ext2u m;
	u32 ino, n = 0;
	u64 pos = 0, misses, hits;

	ext2u_images();
	EXPECT_EQ(ext2u_mount(EXT2U_DIR "/dirindex.img", true, &m), 0);
	EXPECT_EQ(ext2u_resolve(m.fs, "/big", &ino), 0);
	EXPECT_EQ(ext2_readdir(m.fs, ino, &pos, collect_ino, &n), 0);
	EXPECT(n >= 2000);
	bcache_get_stats(&before);
	for (u32 i = 0; i < n; i++)
		EXPECT_EQ(ext2_stat(m.fs, big_inos[i], &st), 0);
	bcache_get_stats(&after);
	misses = after.misses - before.misses;
	hits = after.ra_hits - before.ra_hits;
	printf("# inode table: %llu reads, %llu read-ahead hits\n",
	       (unsigned long long)misses, (unsigned long long)hits);
	EXPECT(hits >= 8 * misses);
	EXPECT_EQ(ext2u_umount(&m), 0);
}

/* Patch the superblock of a private copy: field at byte off (from the
 * superblock's start) gets a 32-bit value. */
static void patch_sb(const char *img, u32 off, u32 val, u32 width)
{
	FILE *f = fopen(img, "r+b");

	fseek(f, 1024 + off, SEEK_SET);
	fwrite(&val, width, 1, f);
	fclose(f);
}

#define SB_OFF(field) __builtin_offsetof(struct ext2_super_block, field)

UNIT_TEST(mount_refuses_bad_magic_and_unknown_incompat)
{
	char img[256];
	struct ext2u m;
	bool ro = false;

	ext2u_images();
	ext2u_copy("b1k-i128", "badmagic", img, sizeof(img));
	patch_sb(img, SB_OFF(s_magic), 0x1234, 2);
	EXPECT_EQ(ext2u_mount(img, false, &m), -EINVAL);

	ext2u_copy("b1k-i128", "incompat", img, sizeof(img));
	patch_sb(img, SB_OFF(s_feature_incompat),
		 EXT2_FEATURE_INCOMPAT_FILETYPE | EXT3_FEATURE_INCOMPAT_EXTENTS, 4);
	EXPECT_EQ(ext2u_mount(img, false, &m), -EINVAL);

	ext2u_copy("b1k-i128", "geometry", img, sizeof(img));
	patch_sb(img, SB_OFF(s_inodes_count), 12345, 4);
	EXPECT_EQ(ext2u_mount(img, false, &m), -EINVAL);

	ext2u_copy("b1k-i128", "toobig", img, sizeof(img));
	patch_sb(img, SB_OFF(s_blocks_count), 1u << 30, 4);
	EXPECT_EQ(ext2u_mount(img, false, &m), -EINVAL);

	/* An unknown read-only-compatible feature: read-only, still readable. */
	ext2u_copy("b1k-i128", "rocompat", img, sizeof(img));
	patch_sb(img, SB_OFF(s_feature_ro_compat),
		 EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | EXT4_FEATURE_RO_COMPAT_QUOTA, 4);
	m.bd = kshim_bdev_file(img, false);
	EXPECT_EQ(ext2_mount(m.bd, &ro, &m.fs), 0);
	EXPECT(ro);
	{
		u32 ino;

		EXPECT_EQ(ext2_create(m.fs, ext2_root_ino(), "x", 1, S_IFREG | 0644, 0, &ino),
			  -EROFS);
		EXPECT_EQ(ext2u_resolve(m.fs, "/hello.txt", &ino), 0);
	}
	EXPECT_EQ(ext2u_umount(&m), 0);
}

UNIT_TEST(corrupt_block_pointer_is_eio_not_a_crash)
{
	char img[256], out[256];
	struct ext2u m;
	static char buf[65536];
	unsigned long errors;
	u32 ino;

	ext2u_images();
	ext2u_copy("b1k-i128", "corrupt", img, sizeof(img));
	/* Point double.bin's double-indirect block past the end. */
	EXPECT_EQ(ext2u_sh(out, sizeof(out),
			   "debugfs -w -R 'sif /double.bin block[DIND] 99999999' %s 2>&1", img), 0);
	EXPECT_EQ(ext2u_mount(img, false, &m), 0);
	EXPECT_EQ(ext2u_resolve(m.fs, "/double.bin", &ino), 0);
	errors = kshim_errors;
	EXPECT_EQ(ext2_read(m.fs, ino, (12 + 256 + 5) * 1024, buf, 1024, NULL), -EIO);
	EXPECT(kshim_errors > errors);
	/* The rest of the file and the file system are fine. */
	EXPECT_EQ(ext2_read(m.fs, ino, 0, buf, sizeof(buf), NULL), (long)sizeof(buf));
	EXPECT_EQ(ext2u_resolve(m.fs, "/hello.txt", &ino), 0);
	EXPECT_EQ(ext2u_umount(&m), 0);
}
