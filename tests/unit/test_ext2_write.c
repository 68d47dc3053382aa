// uses: tests/unit/kshim.c tests/unit/ext2_util.c vfs/buffer.c fs/ext2/super.c fs/ext2/alloc.c fs/ext2/inode.c fs/ext2/dir.c fs/ext2/namei.c fs/ext2/workload.c kernel/lib/printf.c
/*
 * ext2 write path: the shared workload (fs/ext2/workload.c) runs on a copy
 * of an image through the ext2 code and on a copy of its staged tree
 * through POSIX calls. Then the image must be clean under `e2fsck -fn`,
 * `debugfs rdump` of it must equal the host tree, and reading it back
 * with our code must too. Also: a full disk gives ENOSPC and keeps what
 * was written.
 */
#define _GNU_SOURCE
#include "tests/unit/unit.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tests/unit/ext2_util.h"
#include "tests/unit/kshim.h"
#include "fs/ext2/workload.h"
#include "fs/ext2/internal.h"

/* ---- back end 1: the ext2 code ------------------------------------------- */

static int split(struct ext2_fs *fs, const char *path, u32 *dir, const char **name)
{
	char parent[512];
	const char *slash = strrchr(path, '/');

	snprintf(parent, sizeof(parent), "%.*s", (int)(slash - path), path);
	*name = slash + 1;
	return ext2u_resolve(fs, parent, dir);
}

static int e_mkdir(void *c, const char *p)
{
	const char *n;
	u32 dir, ino;
	int err = split(c, p, &dir, &n);

	return err ? err : ext2_mkdir(c, dir, n, strlen(n), 0755, &ino);
}

static int e_write(void *c, const char *p, u64 off, const void *buf, u32 len)
{
	const char *n;
	u32 dir, ino;
	int err = split(c, p, &dir, &n);

	if (!err) {
		err = ext2_lookup(c, dir, n, strlen(n), &ino);
		if (err == -ENOENT)
			err = ext2_create(c, dir, n, strlen(n), S_IFREG | 0644, 0, &ino);
	}
	for (u32 done = 0; !err && done < len;) {
		ssize_t w = ext2_write(c, ino, off + done, (const u8 *)buf + done, len - done);

		if (w <= 0)
			return w ? (int)w : -EIO;
		done += w;
	}
	return err;
}

static int e_truncate(void *c, const char *p, u64 size)
{
	u32 ino;
	int err = ext2u_resolve(c, p, &ino);

	return err ? err : ext2_truncate(c, ino, size);
}

static int e_unlink(void *c, const char *p)
{
	const char *n;
	u32 dir;
	int err = split(c, p, &dir, &n);

	return err ? err : ext2_unlink(c, dir, n, strlen(n));
}

static int e_rmdir(void *c, const char *p)
{
	const char *n;
	u32 dir;
	int err = split(c, p, &dir, &n);

	return err ? err : ext2_rmdir(c, dir, n, strlen(n));
}

static int e_rename(void *c, const char *a, const char *b)
{
	const char *na, *nb;
	u32 da, db;
	int err = split(c, a, &da, &na);

	if (!err)
		err = split(c, b, &db, &nb);
	return err ? err : ext2_rename(c, da, na, strlen(na), db, nb, strlen(nb));
}

static int e_link(void *c, const char *a, const char *b)
{
	const char *n;
	u32 ino, dir;
	int err = ext2u_resolve(c, a, &ino);

	if (!err)
		err = split(c, b, &dir, &n);
	return err ? err : ext2_link(c, ino, dir, n, strlen(n));
}

static int e_symlink(void *c, const char *target, const char *p)
{
	const char *n;
	u32 dir, ino;
	int err = split(c, p, &dir, &n);

	return err ? err : ext2_symlink(c, dir, n, strlen(n), target, &ino);
}

static long e_read(void *c, const char *p, u64 off, void *buf, u32 len)
{
	u32 ino;
	int err = ext2u_resolve(c, p, &ino);

	return err ? err : ext2_read(c, ino, off, buf, len, NULL);
}

static const struct ext2_wl_ops ext2_ops = {
	e_mkdir, e_write, e_truncate, e_unlink, e_rmdir, e_rename, e_link, e_symlink, e_read,
};

/* ---- back end 2: POSIX on a host directory -------------------------------- */

static const char *hp(void *c, const char *p)
{
	static char buf[2][1024];
	static int i;

	i ^= 1;
	snprintf(buf[i], sizeof(buf[i]), "%s%s", (const char *)c, p);
	return buf[i];
}

#define POSIX(call) ((call) < 0 ? -errno : 0)

static int h_mkdir(void *c, const char *p)
{
	return POSIX(mkdir(hp(c, p), 0755));
}

static int h_write(void *c, const char *p, u64 off, const void *buf, u32 len)
{
	int fd = open(hp(c, p), O_WRONLY | O_CREAT, 0644);
	int err;

	if (fd < 0)
		return -errno;
	err = pwrite(fd, buf, len, off) == (ssize_t)len ? 0 : -EIO;
	close(fd);
	return err;
}

static int h_truncate(void *c, const char *p, u64 size)
{
	return POSIX(truncate(hp(c, p), size));
}

static int h_unlink(void *c, const char *p)
{
	return POSIX(unlink(hp(c, p)));
}

static int h_rmdir(void *c, const char *p)
{
	return POSIX(rmdir(hp(c, p)));
}

static int h_rename(void *c, const char *a, const char *b)
{
	return POSIX(rename(hp(c, a), hp(c, b)));
}

static int h_link(void *c, const char *a, const char *b)
{
	return POSIX(link(hp(c, a), hp(c, b)));
}

static int h_symlink(void *c, const char *t, const char *p)
{
	return POSIX(symlink(t, hp(c, p)));
}

static long h_read(void *c, const char *p, u64 off, void *buf, u32 len)
{
	int fd = open(hp(c, p), O_RDONLY);
	long n;

	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, off);
	close(fd);
	return n < 0 ? -errno : n;
}

static const struct ext2_wl_ops host_ops = {
	h_mkdir, h_write, h_truncate, h_unlink, h_rmdir, h_rename, h_link, h_symlink, h_read,
};

/* ---- the cases --------------------------------------------------------- */

static int (*const workloads[])(const struct ext2_wl_ops *, void *, char *, u32) = {
	ext2_wl_general, ext2_wl_htree,
};

/* Run workload wl on shape; every check described in the header. */
static int run_workload(const char *shape, int wl, char *why, size_t len)
{
	char img[256], expect[256], dump[256], out[8192];
	struct ext2u m;
	int err;

	ext2u_images();
	ext2u_copy(shape, shape, img, sizeof(img));
	snprintf(expect, sizeof(expect), "%s/tmp-%s.expect", EXT2U_DIR, shape);
	snprintf(dump, sizeof(dump), "%s/tmp-%s.dump", EXT2U_DIR, shape);
	if (ext2u_sh(NULL, 0, "rm -rf %s %s && cp -a %s/%s.tree %s && mkdir %s", expect, dump,
		     EXT2U_DIR, shape, expect, dump))
		return snprintf(why, len, "staging failed"), -1;
	if (workloads[wl](&host_ops, expect, why, len))
		return -1;      /* the workload's expectations are wrong */

	err = ext2u_mount(img, false, &m);
	if (err)
		return snprintf(why, len, "mount: %d", err), -1;
	if (workloads[wl](&ext2_ops, m.fs, why, len)) {
		ext2u_umount(&m);
		return -1;
	}
	if (ext2u_umount(&m))
		return snprintf(why, len, "unmount failed"), -1;

	if (ext2u_sh(out, sizeof(out), "e2fsck -fn %s 2>&1", img))
		return snprintf(why, len, "e2fsck -fn:\n%s", out), -1;
	if (ext2u_sh(out, sizeof(out), "debugfs -R 'rdump / %s' %s 2>&1 | grep -v '^debugfs '",
		     dump, img) != 1)
		return snprintf(why, len, "debugfs rdump:\n%s", out), -1;
	if (ext2u_sh(out, sizeof(out), "diff -r --no-dereference -x lost+found -x fifo %s %s 2>&1",
		     expect, dump))
		return snprintf(why, len, "debugfs's tree differs:\n%s", out), -1;

	/* Our own reading of what we wrote. */
	err = ext2u_mount(img, true, &m);
	if (err)
		return snprintf(why, len, "remount: %d", err), -1;
	err = ext2u_compare(m.fs, ext2_root_ino(), expect, why, len);
	ext2u_umount(&m);
	return err;
}

#define WRITE_CASE(fn, shape, wl)                                          \
	UNIT_TEST(fn)                                                      \
	{                                                                  \
		char why[8192] = "";                                       \
		int ret = run_workload(shape, wl, why, sizeof(why));       \
		if (ret)                                                   \
			printf("# %s\n", why);                             \
		EXPECT_EQ(ret, 0);                                         \
	}

WRITE_CASE(write_workload_1k_e2fsck_clean_debugfs_matches, "b1k-i128", 0)
WRITE_CASE(write_workload_2k_256_inodes_e2fsck_clean_debugfs_matches, "b2k-i256", 0)
WRITE_CASE(write_workload_rev0_e2fsck_clean_debugfs_matches, "rev0", 0)
WRITE_CASE(write_workload_no_filetype_e2fsck_clean_debugfs_matches, "nofiletype", 0)
WRITE_CASE(htree_dir_changes_clear_index_e2fsck_clean, "dirindex", 1)

UNIT_TEST(htree_flag_cleared_after_change)
{
	char out[256];

	/* The previous case left its image behind. */
	EXPECT_EQ(ext2u_sh(out, sizeof(out), "debugfs -R 'stat /big' %s/tmp-dirindex.img 2>/dev/null | grep -c 'Flags: 0x0'",
			   EXT2U_DIR), 0);
}

UNIT_TEST(full_disk_enospc_keeps_written_data)
{
	static u8 buf[8192], back[8192];
	char img[256], out[4096];
	struct ext2_statfs st;
	struct ext2u m;
	u64 off = 0;
	ssize_t n = 0;
	u32 dir, ino, ino2;

	ext2u_images();
	ext2u_copy("rev0", "enospc", img, sizeof(img));
	EXPECT_EQ(ext2u_mount(img, false, &m), 0);
	EXPECT_EQ(ext2_mkdir(m.fs, ext2_root_ino(), "d", 1, 0755, &dir), 0);
	EXPECT_EQ(ext2_create(m.fs, dir, "fill", 4, S_IFREG | 0644, 0, &ino), 0);
	for (;;) {
		ext2_wl_fill(buf, sizeof(buf), 9, off);
		n = ext2_write(m.fs, ino, off, buf, sizeof(buf));
		if (n <= 0)
			break;
		off += n;
	}
	EXPECT_EQ(n, -ENOSPC);
	ext2_statfs(m.fs, &st);
	EXPECT_EQ(st.free_blocks, 0);
	EXPECT(off > 4u << 20);
	/* Creating more fails cleanly too (no block for the entry, or ok
	 * if the directory block has room). */
	n = ext2_create(m.fs, dir, "more", 4, S_IFREG | 0644, 0, &ino2);
	EXPECT(n == 0 || n == -ENOSPC);
	EXPECT_EQ(ext2u_umount(&m), 0);
	EXPECT_EQ(ext2u_sh(out, sizeof(out), "e2fsck -fn %s 2>&1", img), 0);

	/* Everything reported written is there. */
	EXPECT_EQ(ext2u_mount(img, false, &m), 0);
	for (u64 pos = 0; pos < off; pos += sizeof(back)) {
		u32 len = MIN(sizeof(back), off - pos);

		if (ext2_read(m.fs, ino, pos, back, len, NULL) != (ssize_t)len)
			break;
		ext2_wl_fill(buf, len, 9, pos);
		if (memcmp(buf, back, len)) {
			printf("# data differs at %llu\n", (unsigned long long)pos);
			EXPECT(0);
		}
	}
	/* Freeing space makes it usable again. */
	EXPECT_EQ(ext2_truncate(m.fs, ino, 0), 0);
	EXPECT_EQ(ext2_write(m.fs, ino, 0, buf, sizeof(buf)), (long)sizeof(buf));
	EXPECT_EQ(ext2u_umount(&m), 0);
	EXPECT_EQ(ext2u_sh(out, sizeof(out), "e2fsck -fn %s 2>&1", img), 0);
}

UNIT_TEST(device_write_errors_fail_sync_not_the_kernel)
{
	char img[256];
	struct ext2u m;
	u32 ino;

	ext2u_images();
	ext2u_copy("b1k-i128", "ioerr", img, sizeof(img));
	EXPECT_EQ(ext2u_mount(img, false, &m), 0);
	EXPECT_EQ(ext2_create(m.fs, ext2_root_ino(), "f", 1, S_IFREG | 0644, 0, &ino), 0);
	EXPECT_EQ(ext2_write(m.fs, ino, 0, "data", 4), 4);
	kshim_bdev_fail_writes(m.bd, true);
	EXPECT_EQ(ext2_sync(m.fs), -EIO);
	kshim_bdev_fail_writes(m.bd, false);
	/* Kept dirty: a later sync succeeds and the data is there. */
	EXPECT_EQ(ext2_sync(m.fs), 0);
	EXPECT_EQ(ext2u_umount(&m), 0);
	EXPECT_EQ(ext2u_sh(NULL, 0, "e2fsck -fn %s >/dev/null 2>&1", img), 0);
}
