/*
 * Process memory: brk, anonymous and file mmap (private and shared),
 * munmap, mprotect, copy-on-write across fork, demand paging, and the
 * error paths of each.
 */
#include "check.h"
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run fn in a child; its wait status. */
static int in_child(void (*fn)(void *), void *arg)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	return status;
}

static void touch(void *p) { *(volatile char *)p = 1; }
static void peek(void *p) { (void)*(volatile char *)p; }

/* musl's sbrk only reports the break; move it with the system call. */
static char *brk_to(char *addr)
{
	return (char *)syscall(SYS_brk, addr);
}

static void t_brk(void)
{
	char *b0 = brk_to(0), *p = b0;

	CHECK(brk_to(b0 + 3 * 4096 + 100) == b0 + 3 * 4096 + 100);
	int nonzero = 0;

	for (int i = 0; i < 3 * 4096 + 100; i++)
		nonzero |= p[i];
	CHECK(!nonzero);                                /* a fresh heap is zero */
	memset(p, 0x5a, 3 * 4096 + 100);
	CHECK(brk_to(b0) == b0);
	/* Shrunk away: the page after the old break is gone. */
	CHECK(WTERMSIG(in_child(peek, b0 + 2 * 4096)) == SIGSEGV);
	/* brk below the start fails and returns the current break. */
	CHECK(syscall(SYS_brk, 4096) == (long)b0);
}

static void t_anon(void)
{
	size_t len = 64 * 4096;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int zeros = 1;

	CHECK(p != MAP_FAILED);
	for (size_t i = 0; i < len; i += 4096)
		zeros &= p[i] == 0;
	CHECK(zeros);
	memset(p, 7, len);
	CHECK(p[len - 1] == 7);
	CHECK(munmap(p + 4096, 4096) == 0);             /* a hole in the middle */
	CHECK(WTERMSIG(in_child(peek, p + 4096)) == SIGSEGV);
	CHECK(p[0] == 7 && p[2 * 4096] == 7);
	CHECK(mprotect(p, 4096, PROT_READ) == 0);
	CHECK(WTERMSIG(in_child(touch, p)) == SIGSEGV);
	CHECK(p[0] == 7);
	CHECK(mprotect(p, 4096, PROT_READ | PROT_WRITE) == 0);
	p[0] = 8;
	CHECK(p[0] == 8);
	CHECK(mprotect(p, 4096, PROT_NONE) == 0);
	CHECK(WTERMSIG(in_child(peek, p)) == SIGSEGV);
	CHECK(mprotect(p, 4096, PROT_READ) == 0 && p[0] == 8);  /* contents kept */
	CHECK(munmap(p, len) == 0);
	CHECK(WTERMSIG(in_child(peek, p + 10 * 4096)) == SIGSEGV);
	/* Fixed mappings, and the errors. */
	p = mmap((void *)0x200000000UL, 8192, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(p == (void *)0x200000000UL);
	CHECK(mmap((void *)0x200000000UL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		   MAP_FIXED_NOREPLACE, -1, 0) == MAP_FAILED && errno == EEXIST);
	CHECK(munmap(p, 8192) == 0);
	CHECK(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED &&
	      errno == EINVAL);
	CHECK(mmap((void *)0x200000123UL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		   MAP_FIXED, -1, 0) == MAP_FAILED && errno == EINVAL);
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 999, 0) == MAP_FAILED && errno == EBADF);
	CHECK_ERR(munmap((void *)0x200000123UL, 4096), EINVAL);
	CHECK_ERR(mprotect((void *)0x300000000UL, 4096, PROT_READ), ENOMEM);
	/* A big allocation, touched page by page: demand paging. */
	p = malloc(16 << 20);
	CHECK(p != NULL);
	if (p) {
		for (size_t i = 0; i < (16 << 20); i += 4096)
			p[i] = (char)i;
		CHECK(p[(8 << 20)] == (char)(8 << 20));
		free(p);
	}
}

static int cow_value = 1;

static void t_cow(void)
{
	int fds[2], status;
	char *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t pid;
	char c;

	CHECK(shared != MAP_FAILED && priv != MAP_FAILED);
	strcpy(priv, "parent");
	CHECK(pipe(fds) == 0);
	pid = fork();
	if (pid == 0) {
		/* The child sees the parent's memory, changes its own copy. */
		int ok = cow_value == 1 && !strcmp(priv, "parent");

		cow_value = 2;
		strcpy(priv, "child");
		strcpy(shared, "from child");
		read(fds[0], &c, 1);    /* the parent has written meanwhile */
		ok &= cow_value == 2 && !strcmp(priv, "child");
		_exit(ok ? 0 : 1);
	}
	cow_value = 3;                  /* parent writes while the child lives */
	write(fds[1], "x", 1);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(cow_value == 3);
	CHECK(!strcmp(priv, "parent"));
	CHECK(!strcmp(shared, "from child"));  /* MAP_SHARED is shared */
	close(fds[0]);
	close(fds[1]);
}

static void t_file_map(void)
{
	char buf[8192];
	int fd = open("/tmp/t_mem.map", O_CREAT | O_RDWR | O_TRUNC, 0644);
	char *p;

	for (int i = 0; i < (int)sizeof(buf); i++)
		buf[i] = (char)(i * 7);
	CHECK(write(fd, buf, 6000) == 6000);
	p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED);
	if (p != MAP_FAILED) {
		CHECK(!memcmp(p, buf, 6000));
		CHECK(p[6000] == 0 && p[8191] == 0);    /* past EOF: zeros */
		p[0] = 'X';                             /* private: file unchanged */
		CHECK(pread(fd, buf, 1, 0) == 1 && buf[0] == 0);
		munmap(p, 3 * 4096);
	}
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 4096);
	CHECK(p != MAP_FAILED && p[0] == (char)(4096 * 7));
	close(fd);
	fd = open("/tmp/t_mem.map", O_WRONLY);
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED && errno == EACCES);
	close(fd);
	unlink("/tmp/t_mem.map");
}

int main(void)
{
	check_name = "t_mem";
	t_brk();
	t_anon();
	t_cow();
	t_file_map();
	test_done();
}
