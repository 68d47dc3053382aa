/*
 * KTEST_MANUAL vfs_list_root: print every file under / (except /dev and
 * the test scratch /kt) with its type, mode, owner, size, link count,
 * mtime and a content hash (FNV-1a), or its link target, one line each.
 * tests/integration/test_initramfs.py boots with an initramfs made on the
 * host and compares the lines with the tree it packed.
 */
#include "vfs/internal.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/test/ktest.h"

#define K vfs_kernel_ctx()
#define LIST_DEPTH_MAX 16

static u32 hash_file(const char *path, int *err)
{
	u8 *buf = kmalloc(4096, GFP_KERNEL);
	struct file *f = vfs_open(K, NULL, path, O_RDONLY, 0);
	u32 h = 2166136261u;
	ssize_t n;

	*err = 0;
	if (!buf || IS_ERR(f)) {
		*err = IS_ERR(f) ? (int)PTR_ERR(f) : -ENOMEM;
		if (!IS_ERR(f))
			file_put(f);
		kfree(buf);
		return 0;
	}
	while ((n = vfs_read(f, VFS_KBUF(buf), 4096, NULL)) > 0)
		for (ssize_t i = 0; i < n; i++)
			h = (h ^ buf[i]) * 16777619u;
	if (n < 0)
		*err = (int)n;
	file_put(f);
	kfree(buf);
	return h;
}

static int list_one(const char *path)
{
	char target[256];
	struct stat st;
	int err = vfs_fstatat(K, NULL, path, AT_SYMLINK_NOFOLLOW, &st), n;
	u32 h;

	if (err)
		return err;
	if (S_ISLNK(st.st_mode)) {
		n = vfs_readlink(K, NULL, path, target, sizeof(target) - 1);
		if (n < 0)
			return n;
		target[n] = 0;
		pr_info("LIST %s l %o %u:%u -> %s\n", path, st.st_mode & 07777,
			st.st_uid, st.st_gid, target);
	} else if (S_ISDIR(st.st_mode)) {
		pr_info("LIST %s d %o %u:%u\n", path, st.st_mode & 07777,
			st.st_uid, st.st_gid);
	} else {
		h = hash_file(path, &err);
		if (err)
			return err;
		pr_info("LIST %s f %o %u:%u size=%ld nlink=%lu mtime=%ld fnv=%08x\n",
			path, st.st_mode & 07777, st.st_uid, st.st_gid,
			(long)st.st_size, (unsigned long)st.st_nlink,
			(long)st.st_mtime, h);
	}
	return 0;
}

static int list_dir(char *path, int depth)
{
	size_t plen = strlen(path);
	u8 *buf;
	struct file *f;
	ssize_t n;
	int err = 0;

	if (depth > LIST_DEPTH_MAX)
		return -ELOOP;
	buf = kmalloc(4096, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	f = vfs_open(K, NULL, path, O_RDONLY | O_DIRECTORY, 0);
	if (IS_ERR(f)) {
		kfree(buf);
		return (int)PTR_ERR(f);
	}
	while (!err && (n = vfs_getdents(f, VFS_KBUF(buf), 4096)) > 0) {
		for (ssize_t off = 0; !err && off < n;) {
			const char *name = (const char *)buf + off + 19;
			u16 reclen;

			memcpy(&reclen, buf + off + 16, 2);
			off += reclen;
			if (!strcmp(name, ".") || !strcmp(name, ".."))
				continue;
			if (plen + 1 + strlen(name) + 1 > PATH_MAX) {
				err = -ENAMETOOLONG;
				break;
			}
			ksnprintf(path + plen, PATH_MAX - plen, "%s%s",
				  plen > 1 ? "/" : "", name);
			if (!strcmp(path, "/dev") || !strcmp(path, "/kt")) {
				path[plen] = 0;
				continue;
			}
			err = list_one(path);
			if (!err && buf[off - reclen + 18] == VFS_DTYPE(S_IFDIR))
				err = list_dir(path, depth + 1);
			path[plen] = 0;
		}
	}
	file_put(f);
	kfree(buf);
	return err;
}

KTEST_MANUAL(vfs_list_root)
{
	char *path = kmalloc(PATH_MAX, GFP_KERNEL);
	int err;

	KT_ASSERT(path);
	strlcpy(path, "/", PATH_MAX);
	err = list_dir(path, 0);
	kfree(path);
	KT_ASSERT_EQ(err, 0);
	pr_info("LIST done\n");
}

