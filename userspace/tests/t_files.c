/*
 * File system calls over the VFS, success and error paths: every call in
 * the [processes] list that takes a path or a descriptor. Run as PID 1 (or
 * from a shell) in a writable root; works the same on Linux.
 */
#include "check.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define DIR_ "/tmp/t_files"
#define KERNEL_PTR ((void *)0xffff800000001000UL)
#define BAD_PTR ((void *)16)

static void t_open_read_write(void)
{
	char buf[64];
	struct iovec iov[2];
	int fd;

	fd = open(DIR_ "/a", O_CREAT | O_RDWR | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, "hello world", 11) == 11);
	CHECK(lseek(fd, 0, SEEK_CUR) == 11);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	memset(buf, 0, sizeof(buf));
	CHECK(read(fd, buf, sizeof(buf)) == 11 && !memcmp(buf, "hello world", 11));
	CHECK(read(fd, buf, sizeof(buf)) == 0);
	CHECK(pwrite(fd, "W", 1, 6) == 1);
	CHECK(pread(fd, buf, 5, 6) == 5 && !memcmp(buf, "World", 5));
	CHECK(lseek(fd, 0, SEEK_CUR) == 11);            /* pread/pwrite keep it */
	iov[0] = (struct iovec){ "ab", 2 };
	iov[1] = (struct iovec){ "cde", 3 };
	CHECK(writev(fd, iov, 2) == 5);
	CHECK(lseek(fd, -5, SEEK_END) == 11);
	iov[0] = (struct iovec){ buf, 1 };
	iov[1] = (struct iovec){ buf + 10, 4 };
	CHECK(readv(fd, iov, 2) == 5 && buf[0] == 'a' && !memcmp(buf + 10, "bcde", 4));
	CHECK(lseek(fd, 0, SEEK_END) == 16);
	CHECK_ERR(lseek(fd, -100, SEEK_SET), EINVAL);
	/* Bad pointers: user addresses that are not mapped and kernel ones. */
	CHECK_ERR(read(fd, KERNEL_PTR, 4), EFAULT);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK_ERR(read(fd, BAD_PTR, 4), EFAULT);
	CHECK_ERR(write(fd, KERNEL_PTR, 4), EFAULT);
	CHECK_ERR(write(fd, BAD_PTR, 4), EFAULT);
	CHECK_ERR(open(KERNEL_PTR, O_RDONLY), EFAULT);
	CHECK_ERR(syscall(SYS_fstat, fd, KERNEL_PTR), EFAULT);
	CHECK(fsync(fd) == 0);
	CHECK(fdatasync(fd) == 0);
	CHECK(ftruncate(fd, 3) == 0);
	CHECK(lseek(fd, 0, SEEK_END) == 3);
	CHECK_ERR(ftruncate(fd, -1), EINVAL);
	CHECK(close(fd) == 0);
	/* Bad descriptors. */
	CHECK_ERR(close(fd), EBADF);
	CHECK_ERR(read(fd, buf, 1), EBADF);
	CHECK_ERR(write(999, buf, 1), EBADF);
	CHECK_ERR(lseek(-1, 0, SEEK_SET), EBADF);
	CHECK_ERR(fsync(12345), EBADF);
	fd = open(DIR_ "/a", O_RDONLY);
	CHECK_ERR(write(fd, "x", 1), EBADF);            /* not open for writing */
	close(fd);
	CHECK(truncate(DIR_ "/a", 1) == 0);
	CHECK_ERR(truncate(DIR_ "/nope", 1), ENOENT);
	sync();
}

static void t_errors(void)
{
	char longname[NAME_MAX + 50];
	int fd;

	CHECK_ERR(open(DIR_ "/missing", O_RDONLY), ENOENT);
	CHECK_ERR(open(DIR_ "/a/x", O_RDONLY), ENOTDIR);
	CHECK_ERR(open(DIR_, O_WRONLY), EISDIR);
	CHECK_ERR(open(DIR_ "/a", O_CREAT | O_EXCL | O_WRONLY, 0600), EEXIST);
	CHECK_ERR(open(DIR_ "/a", O_RDONLY | O_DIRECTORY), ENOTDIR);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK_ERR(open(longname, O_RDONLY), ENAMETOOLONG);
	CHECK_ERR(mkdir(longname, 0755), ENAMETOOLONG);
	CHECK(mkdir(DIR_ "/d", 0755) == 0);
	CHECK_ERR(mkdir(DIR_ "/d", 0755), EEXIST);
	CHECK_ERR(mkdir(DIR_ "/missing/d", 0755), ENOENT);
	fd = open(DIR_ "/d/f", O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0);
	close(fd);
	CHECK_ERR(rmdir(DIR_ "/d"), ENOTEMPTY);
	CHECK_ERR(rmdir(DIR_ "/d/f"), ENOTDIR);
	CHECK_ERR(unlink(DIR_ "/d"), EISDIR);
	CHECK(unlink(DIR_ "/d/f") == 0);
	CHECK_ERR(unlink(DIR_ "/d/f"), ENOENT);
	CHECK(rmdir(DIR_ "/d") == 0);
}

static void t_names(void)
{
	char buf[PATH_MAX];
	struct stat st, st2;
	int dfd, fd;

	dfd = open(DIR_, O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0);
	CHECK(mkdirat(dfd, "sub", 0700) == 0);
	fd = openat(dfd, "sub/file", O_CREAT | O_WRONLY, 0600);
	CHECK(fd >= 0 && write(fd, "12345", 5) == 5);
	close(fd);
	CHECK(fstatat(dfd, "sub/file", &st, 0) == 0 && st.st_size == 5 && S_ISREG(st.st_mode));
	CHECK(link(DIR_ "/sub/file", DIR_ "/hard") == 0);
	CHECK(stat(DIR_ "/hard", &st2) == 0 && st2.st_ino == st.st_ino && st2.st_nlink == 2);
	CHECK(linkat(dfd, "hard", dfd, "hard2", 0) == 0);
	CHECK_ERR(link(DIR_ "/hard", DIR_ "/hard2"), EEXIST);
	CHECK(symlink("sub/file", DIR_ "/sym") == 0);
	CHECK(symlinkat("hard", dfd, "sym2") == 0);
	CHECK(lstat(DIR_ "/sym", &st2) == 0 && S_ISLNK(st2.st_mode));
	CHECK(stat(DIR_ "/sym", &st2) == 0 && st2.st_ino == st.st_ino);
	memset(buf, 0, sizeof(buf));
	CHECK(readlink(DIR_ "/sym", buf, sizeof(buf)) == 8 && !strcmp(buf, "sub/file"));
	CHECK(readlinkat(dfd, "sym2", buf, 4) == 4 && !memcmp(buf, "hard", 4));
	CHECK_ERR(readlink(DIR_ "/hard", buf, sizeof(buf)), EINVAL);
	CHECK_ERR(readlink(DIR_ "/sym", KERNEL_PTR, 8), EFAULT);
	CHECK(rename(DIR_ "/hard2", DIR_ "/moved") == 0);
	CHECK_ERR(stat(DIR_ "/hard2", &st2), ENOENT);
	CHECK(renameat(dfd, "moved", dfd, "sub/moved") == 0);
	CHECK(syscall(SYS_renameat2, dfd, "sub/moved", dfd, "moved2", 0) == 0);
	CHECK_ERR(rename(DIR_ "/sub", DIR_ "/moved2"), ENOTDIR);
	CHECK(unlinkat(dfd, "moved2", 0) == 0);
	CHECK(unlinkat(dfd, "sym2", 0) == 0);
	CHECK_ERR(unlinkat(dfd, "sub", 0), EISDIR);
	CHECK(chmod(DIR_ "/hard", 0600) == 0 && stat(DIR_ "/hard", &st2) == 0 &&
	      (st2.st_mode & 0777) == 0600);
	fd = open(DIR_ "/hard", O_RDONLY);
	CHECK(fchmod(fd, 0640) == 0 && fstat(fd, &st2) == 0 && (st2.st_mode & 0777) == 0640);
	CHECK(fchown(fd, 0, 0) == 0 && chown(DIR_ "/hard", 0, 0) == 0);
	close(fd);
	CHECK(access(DIR_ "/hard", R_OK | W_OK) == 0);
	CHECK(faccessat(dfd, "hard", F_OK, 0) == 0);
	CHECK_ERR(access(DIR_ "/none", F_OK), ENOENT);
	umask(022);
	CHECK(umask(077) == 022);
	fd = open(DIR_ "/masked", O_CREAT | O_WRONLY, 0666);
	CHECK(fstat(fd, &st2) == 0 && (st2.st_mode & 0777) == 0600);
	close(fd);
	umask(022);
	/* Working directory. */
	CHECK(chdir(DIR_ "/sub") == 0);
	CHECK(getcwd(buf, sizeof(buf)) && !strcmp(buf, DIR_ "/sub"));
	CHECK(fchdir(dfd) == 0);
	CHECK(getcwd(buf, sizeof(buf)) && !strcmp(buf, DIR_));
	CHECK_ERR(syscall(SYS_getcwd, buf, 3), ERANGE);
	CHECK_ERR(chdir(DIR_ "/hard"), ENOTDIR);
	CHECK_ERR(chdir(DIR_ "/none"), ENOENT);
	CHECK(access("sub/file", R_OK) == 0);           /* relative to the cwd */
	CHECK(chdir("/") == 0);
	close(dfd);
}

static void t_dirs(void)
{
	DIR *d = opendir(DIR_);
	struct dirent *e;
	int seen = 0, dots = 0;

	CHECK(d != NULL);
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			dots++;
		else if (!strcmp(e->d_name, "sub"))
			seen += e->d_type == DT_DIR;
		else if (!strcmp(e->d_name, "sym"))
			seen += e->d_type == DT_LNK;
	}
	if (d)
		closedir(d);
	CHECK(dots == 2 && seen == 2);
	int fd = open(DIR_ "/hard", O_RDONLY);
	char buf[256];

	CHECK_ERR(syscall(SYS_getdents64, fd, buf, sizeof(buf)), ENOTDIR);
	close(fd);
	CHECK_ERR(syscall(SYS_getdents64, 999, buf, sizeof(buf)), EBADF);
}

static void t_fds(void)
{
	int fd = open(DIR_ "/hard", O_RDONLY), fd2, flags;

	CHECK(fd >= 0);
	fd2 = dup(fd);
	CHECK(fd2 > fd);
	CHECK(dup2(fd, 40) == 40);
	CHECK(dup2(40, 40) == 40);
	CHECK_ERR(dup2(77, 41), EBADF);
	CHECK(dup3(fd, 41, O_CLOEXEC) == 41);
	CHECK(fcntl(41, F_GETFD) == FD_CLOEXEC);
	CHECK(fcntl(40, F_GETFD) == 0);
	CHECK(fcntl(40, F_SETFD, FD_CLOEXEC) == 0 && fcntl(40, F_GETFD) == FD_CLOEXEC);
	CHECK_ERR(dup3(fd, fd, 0), EINVAL);
	CHECK(fcntl(fd, F_DUPFD, 50) == 50);
	CHECK(fcntl(fd, F_DUPFD_CLOEXEC, 50) == 51 && fcntl(51, F_GETFD) == FD_CLOEXEC);
	flags = fcntl(fd, F_GETFL);
	CHECK((flags & O_ACCMODE) == O_RDONLY);
	CHECK(fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0);
	CHECK(fcntl(fd2, F_GETFL) & O_NONBLOCK);        /* one open file description */
	CHECK_ERR(fcntl(999, F_GETFL), EBADF);
	for (int i = 40; i <= 51; i++)
		close(i);
	close(fd2);
	close(fd);
}

static void t_exdev(void)
{
	int fd;

	CHECK(mkdir(DIR_ "/mnt", 0755) == 0);
	if (mount("tmpfs", DIR_ "/mnt", "tmpfs", 0, NULL)) {
		printf("t_files: mount tmpfs failed (%s)\n", strerror(errno));
		check_failures++;
		return;
	}
	fd = open(DIR_ "/mnt/x", O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0);
	CHECK_ERR(rename(DIR_ "/mnt/x", DIR_ "/x"), EXDEV);
	CHECK_ERR(link(DIR_ "/mnt/x", DIR_ "/x"), EXDEV);
	CHECK_ERR(umount(DIR_ "/mnt"), EBUSY);
	close(fd);
	CHECK(unlink(DIR_ "/mnt/x") == 0);
	CHECK(umount(DIR_ "/mnt") == 0);
	CHECK_ERR(umount(DIR_ "/mnt"), EINVAL);
	CHECK(rmdir(DIR_ "/mnt") == 0);
}

int main(void)
{
	check_name = "t_files";
	mkdir("/tmp", 01777);
	CHECK(mkdir(DIR_, 0755) == 0);
	t_open_read_write();
	t_errors();
	t_names();
	t_dirs();
	t_fds();
	t_exdev();
	test_done();
}
