/*
 * ext2 through the whole kernel path (virtio-blk, block layer, buffer
 * cache, VFS): manual KTESTs that tests/integration/test_ext2.py runs by
 * name on disks made by images/mkext2.py, checking the results on the
 * host (the staged trees, e2fsck -fn, debugfs).
 *
 * Console lines (parsed by the host):
 *   EXT2MAN <disk> <path> <type> <perm> <nlink> <size> <crc32>
 *       one per file, directory and symlink (type f/d/l/o; directories
 *       have size 0 and crc 0; a symlink's crc is its target's). The CRC
 *       is zlib's (IEEE 802.3, reflected), so Python's zlib.crc32 agrees.
 *   EXT2TEST SYNCED     the crash test's sync completed
 */
#include "fs/ext2/ext2.h"
#include "fs/ext2/workload.h"
#include "kernel/block/block.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/sched/sched.h"
#include "kernel/test/ktest.h"
#include "vfs/vfs.h"
#include <ext2fs/ext2_fs.h>
#include <linux/mount.h>

#define CRC32_POLY 0xedb88320u        /* IEEE 802.3, bit-reflected */
#define IO_CHUNK   (64u << 10)
#define DIRENT64_NAME_OFF 19            /* struct linux_dirent64 */

static u32 crc_table[256];

/* zlib's crc32(): start with 0, feed the bytes in order. */
static u32 crc32(u32 crc, const u8 *p, size_t n)
{
	if (!crc_table[1]) {
		for (u32 i = 0; i < 256; i++) {
			u32 c = i;

			for (int k = 0; k < 8; k++)
				c = c & 1 ? CRC32_POLY ^ (c >> 1) : c >> 1;
			crc_table[i] = c;
		}
	}
	crc = ~crc;
	for (size_t i = 0; i < n; i++)
		crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* /mnt/<disk>, mounted from /dev/<disk>. */
static int mount_disk(const char *disk, u32 flags, char *dir, size_t len)
{
	const struct vfs_ctx *k = vfs_kernel_ctx();
	char dev[32];
	int err;

	ksnprintf(dir, len, "/mnt/%s", disk);
	ksnprintf(dev, sizeof(dev), "/dev/%s", disk);
	err = vfs_mkdir(k, NULL, "/mnt", 0755);
	if (!err || err == -EEXIST)
		err = vfs_mkdir(k, NULL, dir, 0755);
	if (!err || err == -EEXIST)
		err = vfs_mount(k, dev, dir, "ext2", flags, NULL);
	if (err)
		pr_err("ext2 test: mounting %s on %s: %d\n", dev, dir, err);
	return err;
}

static s64 hash_file(const char *path, u32 *h)
{
	struct file *f = vfs_open(vfs_kernel_ctx(), NULL, path, O_RDONLY, 0);
	u8 *buf;
	s64 total = 0;

	if (IS_ERR(f))
		return PTR_ERR(f);
	buf = kmalloc(IO_CHUNK, GFP_KERNEL);
	*h = 0;
	while (buf) {
		ssize_t n = vfs_read(f, VFS_KBUF(buf), IO_CHUNK, NULL);

		if (n <= 0) {
			if (n < 0)
				total = n;
			break;
		}
		*h = crc32(*h, buf, n);
		total += n;
	}
	kfree(buf);
	file_put(f);
	return buf ? total : -ENOMEM;
}

/* Print the manifest of the tree at path (a buffer of PATH_MAX whose
 * first rootlen bytes are the mount point). */
static int manifest(const char *disk, char *path, size_t rootlen)
{
	const struct vfs_ctx *k = vfs_kernel_ctx();
	size_t plen = strlen(path);
	struct file *d = vfs_open(k, NULL, path, O_RDONLY | O_DIRECTORY, 0);
	u8 *buf;
	int err = 0;

	if (IS_ERR(d))
		return PTR_ERR(d);
	buf = kmalloc(4096, GFP_KERNEL);
	if (!buf) {
		file_put(d);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n = vfs_getdents(d, VFS_KBUF(buf), 4096);

		if (n <= 0) {
			err = n;
			break;
		}
		for (ssize_t off = 0; off < n && !err;) {
			const char *name = (const char *)buf + off + DIRENT64_NAME_OFF;
			u16 reclen;
			struct stat st;
			char type, target[256];
			u64 size = 0;
			u32 h = 0;

			memcpy(&reclen, buf + off + 16, 2);
			off += reclen;
			if (!strcmp(name, ".") || !strcmp(name, "..") ||
			    (plen == rootlen && !strcmp(name, "lost+found")))
				continue;
			if (plen + 1 + strlen(name) >= PATH_MAX) {
				err = -ENAMETOOLONG;
				break;
			}
			path[plen] = '/';
			strlcpy(path + plen + 1, name, PATH_MAX - plen - 1);
			err = vfs_fstatat(k, NULL, path, AT_SYMLINK_NOFOLLOW, &st);
			if (err)
				break;
			if (S_ISDIR(st.st_mode)) {
				type = 'd';
			} else if (S_ISREG(st.st_mode)) {
				type = 'f';
				size = st.st_size;
				if (hash_file(path, &h) != (s64)size)
					err = -EIO;
			} else if (S_ISLNK(st.st_mode)) {
				int tl = vfs_readlink(k, NULL, path, target, sizeof(target));

				type = 'l';
				size = st.st_size;
				if (tl < 0)
					err = tl;
				else
					h = crc32(0, (const u8 *)target, tl);
			} else {
				type = 'o';
			}
			if (err)
				break;
			pr_info("EXT2MAN %s %s %c %o %u %lu %08x\n", disk, path + rootlen,
				type, (unsigned)(st.st_mode & 07777), (unsigned)st.st_nlink,
				(unsigned long)size, h);
			if (type == 'd')
				err = manifest(disk, path, rootlen);
			path[plen] = 0;
		}
		if (err)
			break;
	}
	path[plen] = 0;
	kfree(buf);
	file_put(d);
	return err;
}

/* Every disk vda, vdb, ... read-only: its manifest. */
KTEST_MANUAL(ext2_read_disks)
{
	const struct vfs_ctx *k = vfs_kernel_ctx();
	char *path = kmalloc(PATH_MAX, GFP_KERNEL);
	char disk[8];
	u32 n = 0;

	KT_ASSERT(path);
	for (char c = 'a'; c <= 'z'; c++) {
		struct block_device *bd;

		ksnprintf(disk, sizeof(disk), "vd%c", c);
		bd = block_get(disk);
		if (!bd)
			break;
		block_put(bd);
		KT_ASSERT_EQ(mount_disk(disk, MS_RDONLY, path, PATH_MAX), 0);
		KT_ASSERT_EQ(manifest(disk, path, strlen(path)), 0);
		KT_ASSERT_EQ(vfs_umount(k, path, 0), 0);
		pr_info("EXT2TEST %s read\n", disk);
		n++;
	}
	kfree(path);
	KT_ASSERT(n > 0);
}

/* ---- the write workload through the VFS --------------------------------- */

static const char *vpath(void *ctx, const char *p)
{
	static char buf[2][256];
	static int i;

	i ^= 1;
	ksnprintf(buf[i], sizeof(buf[i]), "%s%s", (const char *)ctx, p);
	return buf[i];
}

static int v_mkdir(void *c, const char *p)
{
	return vfs_mkdir(vfs_kernel_ctx(), NULL, vpath(c, p), 0755);
}

static int v_write(void *c, const char *p, u64 off, const void *buf, u32 len)
{
	struct file *f = vfs_open(vfs_kernel_ctx(), NULL, vpath(c, p), O_WRONLY | O_CREAT, 0644);
	ssize_t n;

	if (IS_ERR(f))
		return PTR_ERR(f);
	n = vfs_write(f, VFS_KBUF(buf), len, &off);
	file_put(f);
	return n == (ssize_t)len ? 0 : n < 0 ? (int)n : -EIO;
}

static int v_truncate(void *c, const char *p, u64 size)
{
	return vfs_truncate(vfs_kernel_ctx(), vpath(c, p), size);
}

static int v_unlink(void *c, const char *p)
{
	return vfs_unlink(vfs_kernel_ctx(), NULL, vpath(c, p));
}

static int v_rmdir(void *c, const char *p)
{
	return vfs_rmdir(vfs_kernel_ctx(), NULL, vpath(c, p));
}

static int v_rename(void *c, const char *a, const char *b)
{
	return vfs_rename(vfs_kernel_ctx(), NULL, vpath(c, a), NULL, vpath(c, b), 0);
}

static int v_link(void *c, const char *a, const char *b)
{
	return vfs_link(vfs_kernel_ctx(), NULL, vpath(c, a), NULL, vpath(c, b), 0);
}

static int v_symlink(void *c, const char *t, const char *p)
{
	return vfs_symlink(vfs_kernel_ctx(), t, NULL, vpath(c, p));
}

static long v_read(void *c, const char *p, u64 off, void *buf, u32 len)
{
	struct file *f = vfs_open(vfs_kernel_ctx(), NULL, vpath(c, p), O_RDONLY, 0);
	ssize_t n;

	if (IS_ERR(f))
		return PTR_ERR(f);
	n = vfs_read(f, VFS_KBUF(buf), len, &off);
	file_put(f);
	return n;
}

static const struct ext2_wl_ops vfs_ops = {
	v_mkdir, v_write, v_truncate, v_unlink, v_rmdir, v_rename, v_link, v_symlink, v_read,
};

/* vda: the general workload (a b1k-i128 image); vdb: the htree one (a
 * dirindex image). Unmounting writes everything back. */
KTEST_MANUAL(ext2_write_workload)
{
	const struct vfs_ctx *k = vfs_kernel_ctx();
	char dir[32], why[256] = "";

	KT_ASSERT_EQ(mount_disk("vda", 0, dir, sizeof(dir)), 0);
	if (ext2_wl_general(&vfs_ops, dir, why, sizeof(why)))
		pr_err("EXT2TEST workload: %s\n", why);
	KT_ASSERT_EQ(why[0], 0);
	KT_ASSERT_EQ(vfs_umount(k, dir, 0), 0);
	KT_ASSERT_EQ(mount_disk("vdb", 0, dir, sizeof(dir)), 0);
	if (ext2_wl_htree(&vfs_ops, dir, why, sizeof(why)))
		pr_err("EXT2TEST workload: %s\n", why);
	KT_ASSERT_EQ(why[0], 0);
	KT_ASSERT_EQ(vfs_umount(k, dir, 0), 0);
}

/* Files the crash test writes and syncs: /crash/fNN, NN < 30, size
 * NN * 3001 + 17, stream 700 + NN (ext2_wl_fill). */
KTEST_MANUAL(ext2_crash_after_sync)
{
	char dir[32];
	u8 *buf = kmalloc(IO_CHUNK, GFP_KERNEL);

	KT_ASSERT(buf);
	KT_ASSERT_EQ(mount_disk("vda", 0, dir, sizeof(dir)), 0);
	KT_ASSERT_EQ(v_mkdir(dir, "/crash"), 0);
	for (u32 i = 0; i < 30; i++) {
		char name[32];
		u32 size = i * 3001 + 17;

		ksnprintf(name, sizeof(name), "/crash/f%02u", i);
		for (u32 off = 0; off < size; off += IO_CHUNK) {
			u32 n = MIN(IO_CHUNK, size - off);

			ext2_wl_fill(buf, n, 700 + i, off);
			KT_ASSERT_EQ(v_write(dir, name, off, buf, n), 0);
		}
	}
	KT_ASSERT_EQ(v_unlink(dir, "/hello.txt"), 0);
	KT_ASSERT_EQ(v_rename(dir, "/dir", "/crash/dir-moved"), 0);
	vfs_sync_all();
	pr_info("EXT2TEST SYNCED\n");
	/* Wait to be killed; nothing may change the disk from here on. */
	for (;;)
		msleep(1000);
}

/* Booted with root=/dev/vda rootfstype=ext2 on a b1k-i128 image. */
KTEST_MANUAL(ext2_root_mounted)
{
	const struct vfs_ctx *k = vfs_kernel_ctx();
	struct statfs st;
	char buf[32] = "";

	KT_ASSERT_EQ(vfs_statfs(k, "/", &st), 0);
	KT_ASSERT_EQ(st.f_type, EXT2_SUPER_MAGIC);
	KT_ASSERT_EQ(v_read("", "/hello.txt", 0, buf, sizeof(buf) - 1), 12);
	KT_ASSERT(!strcmp(buf, "hello, ext2\n"));
}
