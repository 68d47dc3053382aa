/*
 * VFS semantics on tmpfs, checked against what Linux returns. Every test
 * works in its own tmpfs mounted under /kt (so it also exercises mounts)
 * and unmounts it at the end, which fails with EBUSY if a test leaked a
 * reference.
 */
#include "vfs/internal.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/err.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/kstack.h"
#include "kernel/sched/sched.h"
#include "kernel/test/ktest.h"
#include <linux/fs.h>

#define K vfs_kernel_ctx()

static int kt_setup(const char *dir, const char *opts)
{
	int err = vfs_mkdir(K, NULL, "/kt", 0755);

	if (err && err != -EEXIST)
		return err;
	err = vfs_mkdir(K, NULL, dir, 0755);
	if (err && err != -EEXIST)
		return err;
	return vfs_mount(K, "tmpfs", dir, "tmpfs", 0, opts);
}

static int kt_put(const char *path, const char *data)
{
	struct file *f = vfs_open(K, NULL, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	n = vfs_write(f, VFS_KBUF(data), strlen(data), NULL);
	file_put(f);
	return n < 0 ? (int)n : 0;
}

/* Read all of path into buf (NUL-terminated): the length or -errno. */
static long kt_get(const struct vfs_ctx *ctx, const char *path, char *buf, size_t size)
{
	struct file *f = vfs_open(ctx, NULL, path, O_RDONLY, 0);
	ssize_t n, total = 0;

	if (IS_ERR(f))
		return PTR_ERR(f);
	while ((n = vfs_read(f, VFS_KBUF(buf + total), size - 1 - (size_t)total, NULL)) > 0)
		total += n;
	file_put(f);
	buf[total] = 0;
	return n < 0 ? n : total;
}

static long kt_open_err(const char *path, u32 flags)
{
	struct file *f = vfs_open(K, NULL, path, flags, 0644);

	if (IS_ERR(f))
		return PTR_ERR(f);
	file_put(f);
	return 0;
}

static u32 kt_nlink(const char *path)
{
	struct stat st;

	return vfs_fstatat(K, NULL, path, AT_SYMLINK_NOFOLLOW, &st) ? 0 : (u32)st.st_nlink;
}

KTEST(vfs_write_read_seek_stat)
{
	char buf[64];
	struct stat st;
	struct file *f;

	KT_ASSERT_EQ(kt_setup("/kt/rw", NULL), 0);
	f = vfs_open(K, NULL, "/kt/rw/a", O_RDWR | O_CREAT | O_EXCL, 0640);
	KT_ASSERT(!IS_ERR(f));
	KT_ASSERT_EQ(vfs_write(f, VFS_KBUF("hello, world"), 12, NULL), 12);
	KT_ASSERT_EQ(vfs_lseek(f, 7, SEEK_SET), 7);
	KT_ASSERT_EQ(vfs_read(f, VFS_KBUF(buf), sizeof(buf), NULL), 5);
	KT_ASSERT(!memcmp(buf, "world", 5));
	KT_ASSERT_EQ(vfs_lseek(f, 100000, SEEK_SET), 100000);
	KT_ASSERT_EQ(vfs_write(f, VFS_KBUF("!"), 1, NULL), 1);
	KT_ASSERT_EQ(vfs_fstat(f, &st), 0);
	KT_ASSERT_EQ(st.st_size, 100001);
	KT_ASSERT_EQ(st.st_mode, S_IFREG | 0640);
	KT_ASSERT_EQ(st.st_nlink, 1);
	/* The hole reads as zeros. */
	KT_ASSERT_EQ(vfs_lseek(f, 50000, SEEK_SET), 50000);
	memset(buf, 'x', sizeof(buf));
	KT_ASSERT_EQ(vfs_read(f, VFS_KBUF(buf), 8, NULL), 8);
	KT_ASSERT(!memcmp(buf, "\0\0\0\0\0\0\0\0", 8));
	KT_ASSERT_EQ(vfs_lseek(f, -1, SEEK_END), 100000);
	KT_ASSERT_EQ(vfs_lseek(f, -200000, SEEK_CUR), -EINVAL);
	KT_ASSERT_EQ(vfs_ftruncate(f, 5), 0);
	KT_ASSERT_EQ(vfs_lseek(f, 0, SEEK_END), 5);
	KT_ASSERT_EQ(vfs_ftruncate(f, 10), 0);
	KT_ASSERT_EQ(vfs_read(f, VFS_KBUF(buf), 1, &(u64){ 7 }), 1);
	KT_ASSERT_EQ(buf[0], 0);
	file_put(f);
	/* O_APPEND writes land at the end whatever the offset. */
	f = vfs_open(K, NULL, "/kt/rw/a", O_WRONLY | O_APPEND, 0);
	KT_ASSERT(!IS_ERR(f));
	KT_ASSERT_EQ(vfs_write(f, VFS_KBUF("Z"), 1, &(u64){ 0 }), 1);
	file_put(f);
	KT_ASSERT_EQ(kt_get(K, "/kt/rw/a", buf, sizeof(buf)), 11);
	KT_ASSERT_EQ(buf[10], 'Z');
	KT_ASSERT_EQ(vfs_umount(K, "/kt/rw", 0), 0);
}

KTEST(vfs_error_paths)
{
	static char long_name[NAME_MAX + 2], *long_path;
	struct file *f;

	KT_ASSERT_EQ(kt_setup("/kt/err", NULL), 0);
	KT_ASSERT_EQ(kt_put("/kt/err/file", "x"), 0);
	KT_ASSERT_EQ(vfs_mkdir(K, NULL, "/kt/err/dir", 0755), 0);
	KT_ASSERT_EQ(kt_open_err("/kt/err/missing", O_RDONLY), -ENOENT);
	KT_ASSERT_EQ(kt_open_err("/kt/err/nodir/x", O_RDONLY | O_CREAT), -ENOENT);
	KT_ASSERT_EQ(kt_open_err("/kt/err/file/x", O_RDONLY), -ENOTDIR);
	KT_ASSERT_EQ(kt_open_err("/kt/err/file/", O_RDONLY), -ENOTDIR);
	KT_ASSERT_EQ(kt_open_err("/kt/err/file", O_RDONLY | O_DIRECTORY), -ENOTDIR);
	KT_ASSERT_EQ(kt_open_err("/kt/err/dir", O_WRONLY), -EISDIR);
	KT_ASSERT_EQ(kt_open_err("/kt/err/dir", O_RDONLY), 0);
	KT_ASSERT_EQ(kt_open_err("/kt/err/new/", O_RDWR | O_CREAT), -EISDIR);
	KT_ASSERT_EQ(kt_open_err("/kt/err/file", O_RDWR | O_CREAT | O_EXCL), -EEXIST);
	KT_ASSERT_EQ(kt_open_err("", O_RDONLY), -ENOENT);
	KT_ASSERT_EQ(vfs_mkdir(K, NULL, "/kt/err/dir", 0755), -EEXIST);
	KT_ASSERT_EQ(vfs_mkdir(K, NULL, "/kt/err/file", 0755), -EEXIST);
	KT_ASSERT_EQ(vfs_mkdir(K, NULL, "/kt/err/dir/.", 0755), -EEXIST);
	KT_ASSERT_EQ(vfs_mkdir(K, NULL, "/kt/err/dir/sub/", 0755), 0);
	KT_ASSERT_EQ(vfs_rmdir(K, NULL, "/kt/err/dir"), -ENOTEMPTY);
	KT_ASSERT_EQ(vfs_rmdir(K, NULL, "/kt/err/dir/sub/."), -EINVAL);
	KT_ASSERT_EQ(vfs_rmdir(K, NULL, "/kt/err/dir/sub/.."), -ENOTEMPTY);
	KT_ASSERT_EQ(vfs_rmdir(K, NULL, "/kt/err/file"), -ENOTDIR);
	KT_ASSERT_EQ(vfs_rmdir(K, NULL, "/kt/err"), -EBUSY);
	KT_ASSERT_EQ(vfs_unlink(K, NULL, "/kt/err/dir"), -EISDIR);
	KT_ASSERT_EQ(vfs_unlink(K, NULL, "/kt/err/file/"), -ENOTDIR);
	KT_ASSERT_EQ(vfs_unlink(K, NULL, "/kt/err/missing"), -ENOENT);
	KT_ASSERT_EQ(vfs_rmdir(K, NULL, "/kt/err/dir/sub"), 0);
	KT_ASSERT_EQ(vfs_rmdir(K, NULL, "/kt/err/dir/sub"), -ENOENT);

	/* ENAMETOOLONG: a 256-byte component, a 4096-byte path. */
	memset(long_name, 'n', NAME_MAX + 1);
	KT_ASSERT_EQ(vfs_mkdir(K, NULL, long_name, 0755), -ENAMETOOLONG);
	long_name[NAME_MAX] = 0;
	long_path = kmalloc(PATH_MAX + 1, GFP_KERNEL);
	KT_ASSERT(long_path);
	ksnprintf(long_path, PATH_MAX + 1, "/kt/err/%s", long_name);
	KT_ASSERT_EQ(kt_put(long_path, "max"), 0);
	memset(long_path, '/', PATH_MAX);
	long_path[PATH_MAX] = 0;
	KT_ASSERT_EQ(kt_open_err(long_path, O_RDONLY), -ENAMETOOLONG);
	long_path[PATH_MAX - 1] = 0;
	KT_ASSERT_EQ(kt_open_err(long_path, O_RDONLY), 0);
	kfree(long_path);

	/* ELOOP: a loop, a chain longer than 40, O_NOFOLLOW. */
	KT_ASSERT_EQ(vfs_symlink(K, "loop2", NULL, "/kt/err/loop1"), 0);
	KT_ASSERT_EQ(vfs_symlink(K, "loop1", NULL, "/kt/err/loop2"), 0);
	KT_ASSERT_EQ(kt_open_err("/kt/err/loop1", O_RDONLY), -ELOOP);
	KT_ASSERT_EQ(vfs_symlink(K, "file", NULL, "/kt/err/l0"), 0);
	for (int i = 1; i <= 40; i++) {
		char n[32], t[32];

		ksnprintf(n, sizeof(n), "/kt/err/l%d", i);
		ksnprintf(t, sizeof(t), "l%d", i - 1);
		KT_ASSERT_EQ(vfs_symlink(K, t, NULL, n), 0);
	}
	KT_ASSERT_EQ(kt_open_err("/kt/err/l39", O_RDONLY), 0);      /* 40 links */
	KT_ASSERT_EQ(kt_open_err("/kt/err/l40", O_RDONLY), -ELOOP); /* 41 */
	KT_ASSERT_EQ(kt_open_err("/kt/err/l0", O_RDONLY | O_NOFOLLOW), -ELOOP);
	f = vfs_open(K, NULL, "/kt/err/l0", O_PATH | O_NOFOLLOW, 0);
	KT_ASSERT(!IS_ERR(f));
	KT_ASSERT_EQ(vfs_read(f, VFS_KBUF(long_name), 1, NULL), -EBADF);
	file_put(f);
	KT_ASSERT_EQ(vfs_umount(K, "/kt/err", 0), 0);
}

KTEST(vfs_rename_rules)
{
	char buf[32];

	KT_ASSERT_EQ(kt_setup("/kt/ren", NULL), 0);
	KT_ASSERT_EQ(kt_setup("/kt/ren2", NULL), 0);
	KT_ASSERT_EQ(kt_put("/kt/ren/a", "A"), 0);
	KT_ASSERT_EQ(kt_put("/kt/ren/b", "B"), 0);
	KT_ASSERT_EQ(vfs_mkdir(K, NULL, "/kt/ren/d", 0755), 0);
	KT_ASSERT_EQ(vfs_mkdir(K, NULL, "/kt/ren/d/sub", 0755), 0);
	KT_ASSERT_EQ(vfs_mkdir(K, NULL, "/kt/ren/e", 0755), 0);
	KT_ASSERT_EQ(kt_put("/kt/ren/e/x", "x"), 0);
	KT_ASSERT_EQ(vfs_mkdir(K, NULL, "/kt/ren/empty", 0755), 0);

	/* Over an existing file: the target is replaced. */
	KT_ASSERT_EQ(vfs_rename(K, NULL, "/kt/ren/a", NULL, "/kt/ren/b", 0), 0);
	KT_ASSERT_EQ(kt_get(K, "/kt/ren/b", buf, sizeof(buf)), 1);
	KT_ASSERT_EQ(buf[0], 'A');
	KT_ASSERT_EQ(kt_open_err("/kt/ren/a", O_RDONLY), -ENOENT);
	KT_ASSERT_EQ(vfs_rename(K, NULL, "/kt/ren/a", NULL, "/kt/ren/c", 0), -ENOENT);
	/* Directory rules. */
	KT_ASSERT_EQ(vfs_rename(K, NULL, "/kt/ren/d", NULL, "/kt/ren/d/sub/x", 0), -EINVAL);
	KT_ASSERT_EQ(vfs_rename(K, NULL, "/kt/ren/d", NULL, "/kt/ren/d/x", 0), -EINVAL);
	KT_ASSERT_EQ(vfs_rename(K, NULL, "/kt/ren/d", NULL, "/kt/ren/e", 0), -ENOTEMPTY);
	KT_ASSERT_EQ(vfs_rename(K, NULL, "/kt/ren/d", NULL, "/kt/ren/b", 0), -ENOTDIR);
	KT_ASSERT_EQ(vfs_rename(K, NULL, "/kt/ren/b", NULL, "/kt/ren/d", 0), -EISDIR);
	KT_ASSERT_EQ(vfs_rename(K, NULL, "/kt/ren/b", NULL, "/kt/ren/b/", 0), -ENOTDIR);
	KT_ASSERT_EQ(vfs_rename(K, NULL, "/kt/ren/d/sub", NULL, "/kt/ren/d", 0), -ENOTEMPTY);
	KT_ASSERT_EQ(vfs_rename(K, NULL, "/kt/ren/.", NULL, "/kt/ren/z", 0), -EBUSY);
	KT_ASSERT_EQ(kt_nlink("/kt/ren"), 5);   /* ., .., d, e, empty */
	KT_ASSERT_EQ(vfs_rename(K, NULL, "/kt/ren/d", NULL, "/kt/ren/empty", 0), 0);
	KT_ASSERT_EQ(kt_nlink("/kt/ren"), 4);
	KT_ASSERT_EQ(kt_open_err("/kt/ren/empty/sub", O_RDONLY), 0);
	/* Across directories: link counts follow the move. */
	KT_ASSERT_EQ(vfs_rename(K, NULL, "/kt/ren/empty/sub", NULL, "/kt/ren/e/sub", 0), 0);
	KT_ASSERT_EQ(kt_nlink("/kt/ren/empty"), 2);
	KT_ASSERT_EQ(kt_nlink("/kt/ren/e"), 3);
	KT_ASSERT_EQ(kt_open_err("/kt/ren/e/sub/../x", O_RDONLY), 0);
	/* Same file under two names: nothing happens. */
	KT_ASSERT_EQ(vfs_link(K, NULL, "/kt/ren/b", NULL, "/kt/ren/b2", 0), 0);
	KT_ASSERT_EQ(vfs_rename(K, NULL, "/kt/ren/b", NULL, "/kt/ren/b2", 0), 0);
	KT_ASSERT_EQ(kt_nlink("/kt/ren/b"), 2);
	KT_ASSERT_EQ(vfs_rename(K, NULL, "/kt/ren/b", NULL, "/kt/ren/e/x",
				RENAME_NOREPLACE), -EEXIST);
	KT_ASSERT_EQ(vfs_rename(K, NULL, "/kt/ren/b", NULL, "/kt/ren2/b", 0), -EXDEV);
	KT_ASSERT_EQ(vfs_link(K, NULL, "/kt/ren/b", NULL, "/kt/ren2/b", 0), -EXDEV);
	/* Long names survive a rename (external dentry names). */
	KT_ASSERT_EQ(vfs_rename(K, NULL, "/kt/ren/b2", NULL,
				"/kt/ren/a_name_longer_than_the_inline_dentry_buffer", 0), 0);
	KT_ASSERT_EQ(vfs_rename(K, NULL, "/kt/ren/a_name_longer_than_the_inline_dentry_buffer",
				NULL, "/kt/ren/short", 0), 0);
	KT_ASSERT_EQ(kt_get(K, "/kt/ren/short", buf, sizeof(buf)), 1);
	KT_ASSERT_EQ(vfs_umount(K, "/kt/ren2", 0), 0);
	KT_ASSERT_EQ(vfs_umount(K, "/kt/ren", 0), 0);
}

KTEST(vfs_hard_links_and_unlinked_open_files)
{
	char buf[16];
	struct stat st;
	struct file *f;

	KT_ASSERT_EQ(kt_setup("/kt/ln", NULL), 0);
	KT_ASSERT_EQ(kt_put("/kt/ln/a", "data"), 0);
	KT_ASSERT_EQ(vfs_link(K, NULL, "/kt/ln/a", NULL, "/kt/ln/b", 0), 0);
	KT_ASSERT_EQ(vfs_link(K, NULL, "/kt/ln/a", NULL, "/kt/ln/b", 0), -EEXIST);
	KT_ASSERT_EQ(kt_nlink("/kt/ln/a"), 2);
	KT_ASSERT_EQ(vfs_mkdir(K, NULL, "/kt/ln/d", 0755), 0);
	KT_ASSERT_EQ(vfs_link(K, NULL, "/kt/ln/d", NULL, "/kt/ln/d2", 0), -EPERM);
	KT_ASSERT_EQ(vfs_unlink(K, NULL, "/kt/ln/a"), 0);
	KT_ASSERT_EQ(kt_nlink("/kt/ln/b"), 1);
	f = vfs_open(K, NULL, "/kt/ln/b", O_RDWR, 0);
	KT_ASSERT(!IS_ERR(f));
	KT_ASSERT_EQ(vfs_unlink(K, NULL, "/kt/ln/b"), 0);
	/* Unlinked but open: still readable and writable, nlink 0. */
	KT_ASSERT_EQ(vfs_fstat(f, &st), 0);
	KT_ASSERT_EQ(st.st_nlink, 0);
	KT_ASSERT_EQ(vfs_read(f, VFS_KBUF(buf), sizeof(buf), NULL), 4);
	KT_ASSERT_EQ(vfs_write(f, VFS_KBUF("more"), 4, NULL), 4);
	KT_ASSERT_EQ(vfs_umount(K, "/kt/ln", 0), -EBUSY);
	file_put(f);
	KT_ASSERT_EQ(kt_open_err("/kt/ln/b", O_RDONLY), -ENOENT);
	KT_ASSERT_EQ(vfs_umount(K, "/kt/ln", 0), 0);
}

KTEST(vfs_symlinks_relative_absolute)
{
	char buf[64];
	struct stat st;

	KT_ASSERT_EQ(kt_setup("/kt/sym", NULL), 0);
	KT_ASSERT_EQ(vfs_mkdir(K, NULL, "/kt/sym/d", 0755), 0);
	KT_ASSERT_EQ(kt_put("/kt/sym/d/f", "target"), 0);
	KT_ASSERT_EQ(vfs_symlink(K, "d/f", NULL, "/kt/sym/rel"), 0);
	KT_ASSERT_EQ(vfs_symlink(K, "/kt/sym/d", NULL, "/kt/sym/abs"), 0);
	KT_ASSERT_EQ(vfs_symlink(K, "../d/f", NULL, "/kt/sym/d/up"), 0);
	KT_ASSERT_EQ(vfs_symlink(K, "nowhere", NULL, "/kt/sym/dangling"), 0);
	KT_ASSERT_EQ(vfs_symlink(K, "", NULL, "/kt/sym/empty"), -ENOENT);
	KT_ASSERT_EQ(kt_get(K, "/kt/sym/rel", buf, sizeof(buf)), 6);
	KT_ASSERT_EQ(kt_get(K, "/kt/sym/abs/f", buf, sizeof(buf)), 6);
	KT_ASSERT_EQ(kt_get(K, "/kt/sym/abs/up", buf, sizeof(buf)), 6);
	KT_ASSERT_EQ(kt_get(K, "/kt/sym/abs/../rel", buf, sizeof(buf)), 6);
	KT_ASSERT_EQ(vfs_readlink(K, NULL, "/kt/sym/abs", buf, sizeof(buf)), 9);
	KT_ASSERT(!memcmp(buf, "/kt/sym/d", 9));
	KT_ASSERT_EQ(vfs_readlink(K, NULL, "/kt/sym/abs", buf, 3), 3);
	KT_ASSERT_EQ(vfs_readlink(K, NULL, "/kt/sym/d/f", buf, sizeof(buf)), -EINVAL);
	KT_ASSERT_EQ(vfs_fstatat(K, NULL, "/kt/sym/abs", AT_SYMLINK_NOFOLLOW, &st), 0);
	KT_ASSERT(S_ISLNK(st.st_mode));
	KT_ASSERT_EQ(st.st_size, 9);
	KT_ASSERT_EQ(vfs_fstatat(K, NULL, "/kt/sym/abs", 0, &st), 0);
	KT_ASSERT(S_ISDIR(st.st_mode));
	KT_ASSERT_EQ(vfs_fstatat(K, NULL, "/kt/sym/abs/", AT_SYMLINK_NOFOLLOW, &st), 0);
	KT_ASSERT(S_ISDIR(st.st_mode));
	KT_ASSERT_EQ(kt_open_err("/kt/sym/dangling", O_RDONLY), -ENOENT);
	/* O_CREAT through a dangling link creates its target. */
	KT_ASSERT_EQ(kt_open_err("/kt/sym/dangling", O_WRONLY | O_CREAT), 0);
	KT_ASSERT_EQ(kt_open_err("/kt/sym/nowhere", O_RDONLY), 0);
	KT_ASSERT_EQ(kt_open_err("/kt/sym/dangling", O_WRONLY | O_CREAT | O_EXCL), -EEXIST);
	/* unlink removes the link, not its target. */
	KT_ASSERT_EQ(vfs_unlink(K, NULL, "/kt/sym/rel"), 0);
	KT_ASSERT_EQ(kt_open_err("/kt/sym/d/f", O_RDONLY), 0);
	KT_ASSERT_EQ(vfs_umount(K, "/kt/sym", 0), 0);
}

KTEST(vfs_dotdot_across_mounts)
{
	struct stat outer, st;
	char cwd[64];

	KT_ASSERT_EQ(kt_setup("/kt/mnt", NULL), 0);
	KT_ASSERT_EQ(vfs_mkdir(K, NULL, "/kt/mnt/inner", 0755), 0);
	KT_ASSERT_EQ(vfs_mount(K, "tmpfs", "/kt/mnt/inner", "tmpfs", 0, NULL), 0);
	KT_ASSERT_EQ(vfs_mkdir(K, NULL, "/kt/mnt/inner/deep", 0755), 0);
	KT_ASSERT_EQ(kt_put("/kt/mnt/marker", "m"), 0);
	KT_ASSERT_EQ(vfs_fstatat(K, NULL, "/kt/mnt", 0, &outer), 0);
	KT_ASSERT_EQ(vfs_fstatat(K, NULL, "/kt/mnt/inner/..", 0, &st), 0);
	KT_ASSERT_EQ(st.st_ino, outer.st_ino);
	KT_ASSERT_EQ(st.st_dev, outer.st_dev);
	KT_ASSERT_EQ(vfs_fstatat(K, NULL, "/kt/mnt/inner/deep/../../marker", 0, &st), 0);
	KT_ASSERT_EQ(vfs_fstatat(K, NULL, "/kt/mnt/inner", 0, &st), 0);
	KT_ASSERT(st.st_dev != outer.st_dev);
	/* ".." never climbs above the root. */
	KT_ASSERT_EQ(vfs_fstatat(K, NULL, "/../../kt/mnt/marker", 0, &st), 0);
	/* getcwd through a mount, and mounts in use are busy. */
	KT_ASSERT_EQ(vfs_chdir(K, "/kt/mnt/inner/deep"), 0);
	KT_ASSERT_EQ(vfs_getcwd(K, cwd, sizeof(cwd)), 19);
	KT_ASSERT(!strcmp(cwd, "/kt/mnt/inner/deep"));
	KT_ASSERT_EQ(vfs_getcwd(K, cwd, 5), -ERANGE);
	KT_ASSERT_EQ(vfs_umount(K, "/kt/mnt/inner", 0), -EBUSY);
	KT_ASSERT_EQ(vfs_chdir(K, "/"), 0);
	KT_ASSERT_EQ(vfs_umount(K, "/kt/mnt", 0), -EBUSY);   /* a mount inside */
	KT_ASSERT_EQ(vfs_rmdir(K, NULL, "/kt/mnt/inner"), -EBUSY);
	KT_ASSERT_EQ(vfs_umount(K, "/kt/mnt/inner/deep", 0), -EINVAL);
	KT_ASSERT_EQ(vfs_umount(K, "/kt/mnt/inner", 0), 0);
	KT_ASSERT_EQ(kt_open_err("/kt/mnt/inner/deep", O_RDONLY), -ENOENT);
	KT_ASSERT_EQ(vfs_umount(K, "/kt/mnt", 0), 0);
}

KTEST(vfs_permissions_for_non_root)
{
	const struct vfs_ctx user = { .fsuid = 1000, .fsgid = 1000 };
	const struct vfs_ctx other = { .fsuid = 1001, .fsgid = 1001 };
	char buf[16];

	KT_ASSERT_EQ(kt_setup("/kt/perm", "mode=755"), 0);
	KT_ASSERT_EQ(kt_put("/kt/perm/secret", "s"), 0);
	KT_ASSERT_EQ(vfs_chmod(K, NULL, "/kt/perm/secret", 0600, 0), 0);
	KT_ASSERT_EQ(kt_get(&user, "/kt/perm/secret", buf, sizeof(buf)), -EACCES);
	KT_ASSERT_EQ(kt_get(K, "/kt/perm/secret", buf, sizeof(buf)), 1);
	KT_ASSERT_EQ(vfs_mkdir(K, NULL, "/kt/perm/closed", 0700), 0);
	KT_ASSERT_EQ(kt_put("/kt/perm/closed/f", "f"), 0);
	KT_ASSERT_EQ(vfs_chmod(K, NULL, "/kt/perm/closed/f", 0644, 0), 0);
	KT_ASSERT_EQ(kt_get(&user, "/kt/perm/closed/f", buf, sizeof(buf)), -EACCES);
	KT_ASSERT_EQ(vfs_mkdir(&user, NULL, "/kt/perm/mine", 0755), -EACCES);
	KT_ASSERT_EQ(vfs_access(&user, NULL, "/kt/perm/secret", 4, 0), -EACCES);
	KT_ASSERT_EQ(vfs_access(&user, NULL, "/kt/perm", 1, 0), 0);
	KT_ASSERT_EQ(vfs_chmod(&user, NULL, "/kt/perm/secret", 0666, 0), -EPERM);
	KT_ASSERT_EQ(vfs_chown(&user, NULL, "/kt/perm/secret", 1000, (u32)-1, 0), -EPERM);
	KT_ASSERT_EQ(vfs_mount(&user, "tmpfs", "/kt/perm", "tmpfs", 0, NULL), -EPERM);
	/* Root cannot execute a file with no x bit at all. */
	KT_ASSERT_EQ(vfs_access(K, NULL, "/kt/perm/secret", 1, 0), -EACCES);
	/* A sticky world-writable directory: others cannot remove. */
	KT_ASSERT_EQ(vfs_mkdir(K, NULL, "/kt/perm/tmp", 01777), 0);
	KT_ASSERT_EQ(vfs_mkdir(&user, NULL, "/kt/perm/tmp/u", 0755), 0);
	KT_ASSERT_EQ(vfs_rmdir(&other, NULL, "/kt/perm/tmp/u"), -EPERM);
	KT_ASSERT_EQ(vfs_rename(&other, NULL, "/kt/perm/tmp/u", NULL, "/kt/perm/tmp/v", 0), -EPERM);
	KT_ASSERT_EQ(vfs_rmdir(&user, NULL, "/kt/perm/tmp/u"), 0);
	KT_ASSERT_EQ(vfs_umount(K, "/kt/perm", 0), 0);
}

struct dirent_seen {
	int dot, dotdot, a, sub, other;
	unsigned sub_type;
};

static void scan_dirents(const u8 *p, ssize_t n, struct dirent_seen *s)
{
	for (ssize_t off = 0; off < n;) {
		u16 reclen;
		const char *name = (const char *)p + off + 19;

		memcpy(&reclen, p + off + 16, 2);
		if (!strcmp(name, "."))
			s->dot++;
		else if (!strcmp(name, ".."))
			s->dotdot++;
		else if (!strcmp(name, "a"))
			s->a++;
		else if (!strcmp(name, "sub")) {
			s->sub++;
			s->sub_type = p[off + 18];
		} else
			s->other++;
		off += reclen;
	}
}

KTEST(vfs_getdents64_records)
{
	struct dirent_seen seen = { 0 };
	u8 *buf = kmalloc(4096, GFP_KERNEL);
	struct file *f;
	ssize_t n;

	KT_ASSERT(buf);
	KT_ASSERT_EQ(kt_setup("/kt/dents", NULL), 0);
	KT_ASSERT_EQ(kt_put("/kt/dents/a", ""), 0);
	KT_ASSERT_EQ(vfs_mkdir(K, NULL, "/kt/dents/sub", 0755), 0);
	f = vfs_open(K, NULL, "/kt/dents", O_RDONLY | O_DIRECTORY, 0);
	KT_ASSERT(!IS_ERR(f));
	KT_ASSERT_EQ(vfs_getdents(f, VFS_KBUF(buf), 10), -EINVAL);
	/* 24 bytes: exactly one record for "." per call. */
	KT_ASSERT_EQ(vfs_getdents(f, VFS_KBUF(buf), 24), 24);
	scan_dirents(buf, 24, &seen);
	while ((n = vfs_getdents(f, VFS_KBUF(buf), 4096)) > 0)
		scan_dirents(buf, n, &seen);
	KT_ASSERT_EQ(n, 0);
	KT_ASSERT(seen.dot == 1 && seen.dotdot == 1 && seen.a == 1 && seen.sub == 1);
	KT_ASSERT_EQ(seen.other, 0);
	KT_ASSERT_EQ(seen.sub_type, VFS_DTYPE(S_IFDIR));
	/* Rewind and read all again. */
	KT_ASSERT_EQ(vfs_lseek(f, 0, SEEK_SET), 0);
	KT_ASSERT_EQ(vfs_getdents(f, VFS_KBUF(buf), 4096), 24 + 24 + 24 + 24);
	KT_ASSERT_EQ(vfs_read(f, VFS_KBUF(buf), 1, NULL), -EISDIR);
	file_put(f);
	kfree(buf);
	KT_ASSERT_EQ(vfs_umount(K, "/kt/dents", 0), 0);
}

KTEST(vfs_tmpfs_size_limit_enospc)
{
	char *chunk = kzalloc(4096, GFP_KERNEL);
	struct file *f;
	ssize_t n, total = 0;

	KT_ASSERT(chunk);
	KT_ASSERT_EQ(kt_setup("/kt/small", "size=16k"), 0);
	f = vfs_open(K, NULL, "/kt/small/big", O_WRONLY | O_CREAT, 0644);
	KT_ASSERT(!IS_ERR(f));
	while ((n = vfs_write(f, VFS_KBUF(chunk), 4096, NULL)) > 0)
		total += n;
	KT_ASSERT_EQ(n, -ENOSPC);
	KT_ASSERT_EQ(total, 16384);
	/* Freeing space makes room again. */
	KT_ASSERT_EQ(vfs_ftruncate(f, 0), 0);
	KT_ASSERT_EQ(vfs_write(f, VFS_KBUF(chunk), 4096, &(u64){ 0 }), 4096);
	file_put(f);
	kfree(chunk);
	KT_ASSERT_EQ(vfs_umount(K, "/kt/small", 0), 0);
}

KTEST(vfs_attributes_chmod_chown_utimens_truncate)
{
	struct __kernel_timespec t[2] = { { 1000, 5 }, { 2000, VFS_UTIME_OMIT } };
	struct stat st;

	KT_ASSERT_EQ(kt_setup("/kt/attr", NULL), 0);
	KT_ASSERT_EQ(kt_put("/kt/attr/f", "0123456789"), 0);
	KT_ASSERT_EQ(vfs_chmod(K, NULL, "/kt/attr/f", 04755, 0), 0);
	KT_ASSERT_EQ(vfs_chown(K, NULL, "/kt/attr/f", 12, 34, 0), 0);
	KT_ASSERT_EQ(vfs_fstatat(K, NULL, "/kt/attr/f", 0, &st), 0);
	/* Changing the owner dropped set-user-ID. */
	KT_ASSERT_EQ(st.st_mode, S_IFREG | 0755);
	KT_ASSERT_EQ(st.st_uid, 12);
	KT_ASSERT_EQ(st.st_gid, 34);
	KT_ASSERT_EQ(vfs_utimens(K, NULL, "/kt/attr/f", t, 0), 0);
	KT_ASSERT_EQ(vfs_fstatat(K, NULL, "/kt/attr/f", 0, &st), 0);
	KT_ASSERT_EQ(st.st_atime, 1000);
	KT_ASSERT_EQ(st.st_atime_nsec, 5);
	KT_ASSERT(st.st_mtime != 2000);
	t[1].tv_nsec = 1000000000;
	KT_ASSERT_EQ(vfs_utimens(K, NULL, "/kt/attr/f", t, 0), -EINVAL);
	KT_ASSERT_EQ(vfs_truncate(K, "/kt/attr/f", 3), 0);
	KT_ASSERT_EQ(vfs_fstatat(K, NULL, "/kt/attr/f", 0, &st), 0);
	KT_ASSERT_EQ(st.st_size, 3);
	KT_ASSERT_EQ(vfs_truncate(K, "/kt/attr", 3), -EISDIR);
	KT_ASSERT_EQ(vfs_umount(K, "/kt/attr", 0), 0);
}

KTEST(vfs_fd_table_semantics)
{
	struct files *t = files_alloc(), *c;
	struct file *f, *g;

	KT_ASSERT(t);
	f = vfs_open(K, NULL, "/dev/null", O_RDWR, 0);
	KT_ASSERT(!IS_ERR(f));
	KT_ASSERT_EQ(fd_install(t, file_get(f), 0, false), 0);
	KT_ASSERT_EQ(fd_install(t, file_get(f), 0, true), 1);
	KT_ASSERT_EQ(fd_install(t, file_get(f), 10, false), 10);
	KT_ASSERT_EQ(fd_close(t, 0), 0);
	KT_ASSERT_EQ(fd_close(t, 0), -EBADF);
	KT_ASSERT_EQ(fd_install(t, file_get(f), 0, false), 0);
	KT_ASSERT_EQ(fd_dup_to(t, 10, 5, false), 5);
	KT_ASSERT_EQ(fd_dup_to(t, 7, 5, false), -EBADF);
	KT_ASSERT_EQ(fd_dup_to(t, 5, 5, false), 5);
	KT_ASSERT_EQ(fd_get_cloexec(t, 1), 1);
	KT_ASSERT_EQ(fd_set_cloexec(t, 5, true), 0);
	g = fd_get(t, 5);
	KT_ASSERT(g == f);
	file_put(g);
	KT_ASSERT(IS_ERR(fd_get(t, 6)));
	c = files_copy(t);
	KT_ASSERT(c);
	files_close_on_exec(c);
	KT_ASSERT(IS_ERR(fd_get(c, 1)));
	KT_ASSERT(IS_ERR(fd_get(c, 5)));
	g = fd_get(c, 10);
	KT_ASSERT(!IS_ERR(g));
	file_put(g);
	KT_ASSERT_EQ(files_set_limit(t, 12), 0);
	KT_ASSERT_EQ(fd_install(t, file_get(f), 11, false), 11);
	KT_ASSERT_EQ(fd_install(t, file_get(f), 11, false), -EMFILE);
	file_put(f);                    /* the one -EMFILE did not take */
	files_put(c);
	files_put(t);
	/* Only our reference is left. */
	KT_ASSERT_EQ(atomic_read(&f->f_count), 1);
	file_put(f);
}

KTEST(devfs_null_zero_full_urandom)
{
	u8 buf[64], buf2[64];
	struct file *f;

	f = vfs_open(K, NULL, "/dev/null", O_RDWR, 0);
	KT_ASSERT(!IS_ERR(f));
	KT_ASSERT_EQ(vfs_write(f, VFS_KBUF("abc"), 3, NULL), 3);
	KT_ASSERT_EQ(vfs_read(f, VFS_KBUF(buf), sizeof(buf), NULL), 0);
	file_put(f);
	f = vfs_open(K, NULL, "/dev/zero", O_RDONLY, 0);
	KT_ASSERT(!IS_ERR(f));
	memset(buf, 0xaa, sizeof(buf));
	KT_ASSERT_EQ(vfs_read(f, VFS_KBUF(buf), sizeof(buf), NULL), 64);
	for (int i = 0; i < 64; i++)
		KT_ASSERT_EQ(buf[i], 0);
	file_put(f);
	f = vfs_open(K, NULL, "/dev/full", O_RDWR, 0);
	KT_ASSERT(!IS_ERR(f));
	KT_ASSERT_EQ(vfs_write(f, VFS_KBUF("x"), 1, NULL), -ENOSPC);
	KT_ASSERT_EQ(vfs_read(f, VFS_KBUF(buf), 8, NULL), 8);
	file_put(f);
	f = vfs_open(K, NULL, "/dev/urandom", O_RDONLY, 0);
	KT_ASSERT(!IS_ERR(f));
	KT_ASSERT_EQ(vfs_read(f, VFS_KBUF(buf), sizeof(buf), NULL), 64);
	KT_ASSERT_EQ(vfs_read(f, VFS_KBUF(buf2), sizeof(buf2), NULL), 64);
	KT_ASSERT(memcmp(buf, buf2, sizeof(buf)));
	file_put(f);
	KT_ASSERT_EQ(kt_open_err("/dev/random", O_RDONLY), 0);
	KT_ASSERT_EQ(kt_open_err("/dev/console", O_WRONLY), 0);
	/* A node for a number no driver has. */
	KT_ASSERT_EQ(vfs_mknod(K, NULL, "/dev/kt_nodev", S_IFCHR | 0600, MKDEV(99, 1)), 0);
	KT_ASSERT_EQ(kt_open_err("/dev/kt_nodev", O_RDONLY), -ENXIO);
	KT_ASSERT_EQ(vfs_unlink(K, NULL, "/dev/kt_nodev"), 0);
}

/*
 * Concurrency: four threads on any CPU create, write, rename across two
 * directories, hard-link and unlink files in the same directories, and
 * one walks and stats meanwhile. Afterwards the directories must be empty
 * with exact link counts, and the mount must come off (no reference
 * leaked under contention).
 */
#define KT_THREADS 4
#define KT_ROUNDS 100

struct kt_worker {
	struct task task;
	int id;
	int errors;
};

static void kt_churn(void *arg)
{
	struct kt_worker *w = arg;
	char a[48], b[48], c[48];
	struct stat st;

	for (int i = 0; i < KT_ROUNDS; i++) {
		ksnprintf(a, sizeof(a), "/kt/conc/d1/f%d_%d", w->id, i);
		ksnprintf(b, sizeof(b), "/kt/conc/d2/g%d_%d", w->id, i);
		ksnprintf(c, sizeof(c), "/kt/conc/d1/h%d_%d", w->id, i);
		if (w->id == KT_THREADS - 1) {
			/* The reader: a walk racing the others' changes. */
			vfs_fstatat(K, NULL, "/kt/conc/d1/../d2/.", 0, &st);
			continue;
		}
		w->errors += kt_put(a, "payload") != 0;
		w->errors += vfs_rename(K, NULL, a, NULL, b, 0) != 0;
		w->errors += vfs_link(K, NULL, b, NULL, c, 0) != 0;
		w->errors += kt_nlink(c) != 2;
		w->errors += vfs_unlink(K, NULL, b) != 0;
		w->errors += vfs_unlink(K, NULL, c) != 0;
		/* sub moves back and forth; another worker may have moved
		 * it first (ENOENT): only the final link counts tell. */
		if (i % 8 == 0) {
			vfs_rename(K, NULL, "/kt/conc/d1/sub", NULL, "/kt/conc/d2/sub", 0);
			vfs_rename(K, NULL, "/kt/conc/d2/sub", NULL, "/kt/conc/d1/sub", 0);
		}
	}
}

KTEST(vfs_concurrent_directory_changes)
{
	struct kt_worker *w = kzalloc(sizeof(*w) * KT_THREADS, GFP_KERNEL);
	void *stacks[KT_THREADS] = { 0 };
	struct stat st;
	int errors = 0;

	KT_ASSERT(w);
	KT_ASSERT_EQ(kt_setup("/kt/conc", NULL), 0);
	KT_ASSERT_EQ(vfs_mkdir(K, NULL, "/kt/conc/d1", 0755), 0);
	KT_ASSERT_EQ(vfs_mkdir(K, NULL, "/kt/conc/d2", 0755), 0);
	KT_ASSERT_EQ(vfs_mkdir(K, NULL, "/kt/conc/d1/sub", 0755), 0);
	for (int i = 0; i < KT_THREADS; i++) {
		stacks[i] = kstack_alloc();
		KT_ASSERT(stacks[i]);
		w[i].id = i;
		KT_ASSERT_EQ(task_start(&w[i].task, "kt_vfs", kt_churn, &w[i],
					stacks[i], KSTACK_SIZE, TASK_ANY_CPU), 0);
	}
	for (int i = 0; i < KT_THREADS; i++) {
		task_join(&w[i].task);
		kstack_free(stacks[i]);
		errors += w[i].errors;
	}
	kfree(w);
	KT_ASSERT_EQ(errors, 0);
	/* sub is in one of the two, and each count says exactly that. */
	KT_ASSERT_EQ(kt_nlink("/kt/conc/d1") + kt_nlink("/kt/conc/d2"), 5);
	KT_ASSERT_EQ(vfs_fstatat(K, NULL, "/kt/conc/d1/f0_0", 0, &st), -ENOENT);
	KT_ASSERT_EQ(vfs_umount(K, "/kt/conc", 0), 0);
}

/*
 * A removed directory's cached negative names must not keep it alive: a
 * failed lookup under it (mkdir x/missing/d) caches "missing" as a child
 * of x, and that child held x's dentry and inode past rmdir, so ext2
 * never freed the directory (e2fsck: "deleted inode has zero dtime").
 * Lookups in an already removed directory must not cache either.
 */
KTEST(vfs_rmdir_frees_dir_with_negative_children)
{
	struct inode *inode;
	struct path p;
	long refs;

	KT_ASSERT_EQ(kt_setup("/kt/neg", NULL), 0);
	KT_ASSERT_EQ(vfs_mkdir(K, NULL, "/kt/neg/x", 0755), 0);
	KT_ASSERT_EQ(vfs_mkdir(K, NULL, "/kt/neg/x/missing/d", 0755), -ENOENT);
	KT_ASSERT_EQ(kt_open_err("/kt/neg/x/gone", O_RDONLY), -ENOENT);
	KT_ASSERT_EQ(vfs_lookup(K, NULL, "/kt/neg/x", 0, &p), 0);
	inode = d_inode(p.dentry);
	ihold(inode);
	path_put(&p);
	KT_ASSERT_EQ(vfs_rmdir(K, NULL, "/kt/neg/x"), 0);
	/* Only our reference is left: the dentry and its children let go. */
	refs = atomic_read(&inode->i_count);
	iput(inode);
	KT_ASSERT_EQ(refs, 1);
	KT_ASSERT_EQ(vfs_umount(K, "/kt/neg", 0), 0);
}
