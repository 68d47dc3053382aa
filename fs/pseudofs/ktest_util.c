/* Helpers for the sysfs and procfs KTESTs (see ktest_util.h). */
#include "fs/pseudofs/ktest_util.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "vfs/vfs.h"

#define K vfs_kernel_ctx()
/* getdents64 record layout (Linux's struct linux_dirent64): d_reclen at
 * byte 16, the name at byte 19. */
#define DIRENT_RECLEN_OFF 16
#define DIRENT_NAME_OFF 19

int pfs_kt_mount(const char *fstype, const char *dir, u64 magic)
{
	struct statfs st;
	int err = vfs_mkdir(K, NULL, dir, 0755);

	if (err && err != -EEXIST)
		return err;
	if (!vfs_statfs(K, dir, &st) && (u64)st.f_type == magic)
		return 0;
	return vfs_mount(K, fstype, dir, fstype, 0, NULL);
}

long pfs_kt_read(const char *path, char *buf, size_t size, size_t chunk)
{
	struct file *f = vfs_open(K, NULL, path, O_RDONLY, 0);
	ssize_t n = 0;
	size_t total = 0;

	if (IS_ERR(f))
		return PTR_ERR(f);
	while (total + 1 < size) {
		size_t want = size - 1 - total;

		n = vfs_read(f, VFS_KBUF(buf + total), want < chunk ? want : chunk, NULL);
		if (n <= 0)
			break;
		total += (size_t)n;
	}
	file_put(f);
	buf[total] = 0;
	return n < 0 ? n : (long)total;
}

long pfs_kt_write(const char *path, const char *s)
{
	struct file *f = vfs_open(K, NULL, path, O_WRONLY, 0);
	ssize_t n;

	if (IS_ERR(f))
		return PTR_ERR(f);
	n = vfs_write(f, VFS_KBUF(s), strlen(s), NULL);
	file_put(f);
	return n;
}

int pfs_kt_readlink(const char *path, char *buf, size_t size)
{
	int n = vfs_readlink(K, NULL, path, buf, size - 1);

	if (n >= 0)
		buf[n] = 0;
	return n;
}

int pfs_kt_list(const char *path, void (*fn)(const char *name, void *arg), void *arg)
{
	struct file *f = vfs_open(K, NULL, path, O_RDONLY | O_DIRECTORY, 0);
	char *buf;
	ssize_t n;
	int count = 0;

	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	buf = kmalloc(4096, GFP_KERNEL);
	if (!buf) {
		file_put(f);
		return -ENOMEM;
	}
	while ((n = vfs_getdents(f, VFS_KBUF(buf), 4096)) > 0) {
		for (ssize_t off = 0; off < n; ) {
			u16 reclen;
			const char *name = buf + off + DIRENT_NAME_OFF;

			memcpy(&reclen, buf + off + DIRENT_RECLEN_OFF, sizeof(reclen));
			if (strcmp(name, ".") && strcmp(name, "..")) {
				fn(name, arg);
				count++;
			}
			off += reclen;
		}
	}
	kfree(buf);
	file_put(f);
	return n < 0 ? (int)n : count;
}

bool pfs_kt_exists(const char *path)
{
	struct stat st;

	return !vfs_fstatat(K, NULL, path, AT_SYMLINK_NOFOLLOW, &st);
}
