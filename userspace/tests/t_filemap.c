/*
 * Private file mappings that share the file's pages (issue [bench]: exec
 * maps the initramfs's own pages): a write to a private mapping reaches
 * neither the file, nor another process, nor the running program's own
 * text, which is the same page; fork after such a mapping; and many execs
 * leave free memory where it was.
 *
 *   t_filemap             all checks, then "t_filemap: PASS"
 *   t_filemap check       (exec'd by the above) map own binary, compare
 *   t_filemap nop         exit 0 (the exec loop's child)
 */
#include "check.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static const char *self;

static int run(char *const argv[])
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		execve(argv[0], argv, environ);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

/* Map path privately, writable: its size in *len. */
static unsigned char *map_file(const char *path, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY);
	void *p;

	if (fd < 0 || fstat(fd, &st))
		return NULL;
	*len = (size_t)st.st_size;
	p = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

/* A fresh look at the binary: mapped and read bytes agree, and it is an
 * ELF file (nobody's write reached it). */
static int check_self(void)
{
	size_t len;
	unsigned char *p = map_file(self, &len), buf[4096];
	int fd = open(self, O_RDONLY), same = 1;
	ssize_t n;

	CHECK(p && fd >= 0);
	if (!p || fd < 0)
		return 1;
	CHECK(!memcmp(p, "\177ELF", 4));
	for (size_t off = 0; (n = pread(fd, buf, sizeof(buf), (off_t)off)) > 0; off += (size_t)n)
		same &= !memcmp(p + off, buf, (size_t)n);
	CHECK(same);
	close(fd);
	munmap(p, len);
	return check_failures != 0;
}

/* Overwrite a private mapping of the running binary whole with int3: the
 * frames behind it are the ones this program executes from, so a write
 * that reached them would trap right here. */
static void t_own_binary(void)
{
	size_t len;
	unsigned char *p = map_file(self, &len);
	int go[2], status = -1;
	char c = 0;
	pid_t pid;

	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(!memcmp(p, "\177ELF", 4));
	CHECK(pipe(go) == 0);
	pid = fork();                   /* shares the mapping, unwritten */
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(memcmp(p, "\177ELF", 4) || check_self() ? 1 : 0);
	}
	close(go[0]);
	memset(p, 0xcc, len);
	CHECK(p[0] == 0xcc && p[len - 1] == 0xcc);
	CHECK(write(go[1], "g", 1) == 1);
	close(go[1]);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status));
	/* A new process maps and runs the same file untouched. */
	CHECK(run((char *[]){ (char *)self, "check", NULL }) == 0);
	CHECK(check_self() == 0);
	munmap(p, len);
}

/*
 * A file in /tmp: a private mapping's writes are its own. On tmpfs the
 * file's writes show through a page the process has not written yet (as
 * on Linux); elsewhere Vireo reads a copy at the first touch (ext2 lends
 * no pages), so only the private side is checked there.
 */
static void t_tmp_file(void)
{
	char buf[8192], c;
	int fd = open("/tmp/t_filemap", O_CREAT | O_RDWR | O_TRUNC, 0644), status = -1;
	struct statfs sfs;
	int tmpfs;
	char *p;
	pid_t pid;

	memset(buf, 'a', 4096);
	memset(buf + 4096, 'b', 4096);
	CHECK(fd >= 0 && write(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf));
	p = mmap(NULL, sizeof(buf), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	tmpfs = !statfs("/tmp", &sfs) && sfs.f_type == 0x01021994;  /* TMPFS_MAGIC */
	CHECK(p[0] == 'a' && p[4096] == 'b');
	CHECK(pwrite(fd, "Q", 1, 10) == 1);
	CHECK(!tmpfs || p[10] == 'Q');
	printf("t_filemap: /tmp is %s\n", tmpfs ? "tmpfs: file writes show through" : "not tmpfs");
	p[0] = 'Z';
	CHECK(pread(fd, &c, 1, 0) == 1 && c == 'a');
	CHECK(pwrite(fd, "R", 1, 11) == 1);
	CHECK(p[11] == 'a' && p[0] == 'Z');

	/* fork after the mapping: each side's writes stay its own. */
	pid = fork();
	if (pid == 0) {
		p[4096] = 'C';
		_exit(p[4096] == 'C' && p[0] == 'Z' ? 0 : 1);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status));
	CHECK(p[4096] == 'b');
	CHECK(pread(fd, &c, 1, 4096) == 1 && c == 'b');
	p[4097] = 'P';
	CHECK(pread(fd, &c, 1, 4097) == 1 && c == 'b');
	munmap(p, sizeof(buf));

	/* A new mapping shows what the file has now, after writes and a
	 * truncation inside a page it showed before. */
	p = mmap(NULL, sizeof(buf), PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED);
	if (p != MAP_FAILED) {
		CHECK(p[0] == 'a' && p[10] == 'Q' && p[11] == 'R' && p[4097] == 'b');
		munmap(p, sizeof(buf));
	}
	CHECK(ftruncate(fd, 100) == 0);
	CHECK(pwrite(fd, "T", 1, 50) == 1);
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED);
	if (p != MAP_FAILED) {
		CHECK(p[10] == 'Q' && p[50] == 'T' && p[99] == 'a' && p[100] == 0 && p[4095] == 0);
		munmap(p, 4096);
	}
	close(fd);
	unlink("/tmp/t_filemap");
}

/*
 * I/O between a file and a private mapping of that same file: write(2)
 * from the mapping faults its pages in while the file system is inside
 * the write, read(2) into it faults them in for writing. Both used to
 * wait on the file's own lock from inside the fault on tmpfs.
 */
static void t_self_io(void)
{
	char buf[8192], c;
	int fd = open("/tmp/t_filemap_io", O_CREAT | O_RDWR | O_TRUNC, 0644);
	char *p;

	memset(buf, 'x', 4096);
	memset(buf + 4096, 'y', 4096);
	CHECK(fd >= 0 && write(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf));
	p = mmap(NULL, sizeof(buf), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	/* Page 1 of the mapping, never touched, written over page 0. */
	CHECK(pwrite(fd, p + 4096, 4096, 0) == 4096);
	CHECK(pread(fd, &c, 1, 0) == 1 && c == 'y');
	/* Read page 0 ('y' now) into page 1 of a fresh mapping: a write
	 * fault during the read. */
	munmap(p, sizeof(buf));
	p = mmap(NULL, sizeof(buf), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	CHECK(pread(fd, p + 4096, 4096, 0) == 4096);
	CHECK(p[4096] == 'y' && p[8191] == 'y');
	CHECK(pread(fd, &c, 1, 4096) == 1 && c == 'y');
	munmap(p, sizeof(buf));
	close(fd);
	unlink("/tmp/t_filemap_io");
}

static long mem_free_kb(void)
{
	char buf[4096], *s;
	int fd = open("/proc/meminfo", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	s = strstr(buf, "MemFree:");
	return s ? atol(s + 8) : -1;
}

/* Exec the binary many times: every exec maps the same shared frames and
 * each exit drops them; free memory comes back. */
/* A short file read into a large untouched buffer fills only what it
 * copies: the kernel faults in ahead of the copy only as much as the file
 * holds (64 MiB of buffer, 5 bytes of file). */
static void t_big_buffer(void)
{
	size_t big = 64u << 20;
	int fd = open("/tmp/t_filemap_small", O_CREAT | O_RDWR | O_TRUNC, 0644);
	char *p = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long before, after;

	CHECK(fd >= 0 && p != MAP_FAILED);
	if (fd < 0 || p == MAP_FAILED)
		return;
	CHECK(write(fd, "small", 5) == 5);
	before = mem_free_kb();
	CHECK(pread(fd, p, big, 0) == 5 && !memcmp(p, "small", 5));
	after = mem_free_kb();
	printf("t_filemap: MemFree %ld kB before a 64 MiB read of 5 bytes, %ld kB after\n", before, after);
	CHECK(before > 0 && after > 0 && after >= before - 1024);
	munmap(p, big);
	close(fd);
	unlink("/tmp/t_filemap_small");
}

static void t_exec_loop(void)
{
	char *argv[] = { (char *)self, "nop", NULL };
	long before, after;
	int bad = 0;

	mkdir("/proc", 0555);
	mount("proc", "/proc", "proc", 0, NULL);
	for (int i = 0; i < 20; i++)            /* warm the kernel's caches */
		bad |= run(argv) != 0;
	before = mem_free_kb();
	for (int i = 0; i < 300; i++)
		bad |= run(argv) != 0;
	after = mem_free_kb();
	CHECK(!bad);
	CHECK(before > 0 && after > 0);
	printf("t_filemap: MemFree %ld kB before 300 execs, %ld kB after\n", before, after);
	/* A page per exec would be 1200 kB. */
	CHECK(after >= before - 64);
}

int main(int argc, char **argv)
{
	check_name = "t_filemap";
	self = argv[0];
	if (argc > 1 && !strcmp(argv[1], "nop"))
		return 0;
	if (argc > 1 && !strcmp(argv[1], "check"))
		return check_self();
	t_own_binary();
	t_tmp_file();
	t_self_io();
	t_exec_loop();
	t_big_buffer();
	test_done();
}
