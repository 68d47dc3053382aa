/*
 * CPU affinity: sched_setaffinity/sched_getaffinity through musl and raw,
 * sched_getcpu, inheritance across fork, keeping across exec, setting
 * another process's mask, /proc/PID/status, and the error cases (EINVAL,
 * ESRCH, EFAULT). Plain libc, so it runs unchanged on Linux.
 *
 *   t_affinity NCPUS            the test (as init: mounts /proc)
 *   t_affinity exec-child CPU   (internal) the mask after exec is {CPU}
 */
#include "check.h"
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The mask the kernel uses: one long for up to 64 CPUs. */
#define KMASK_BYTES 8

static int only_cpu(const cpu_set_t *set)
{
	return CPU_COUNT(set) == 1 ? (int)__builtin_ctzll(*(const unsigned long long *)set) : -1;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	CHECK(sched_setaffinity(0, sizeof(set), &set) == 0);
}

/* The line "key:\tvalue" of /proc/self/status, or "". */
static const char *status_line(const char *key, char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];

	buf[0] = 0;
	if (!f)
		return buf;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':') {
			snprintf(buf, len, "%s", line + strlen(key) + 2);
			buf[strcspn(buf, "\n")] = 0;
		}
	fclose(f);
	return buf;
}

static void errors(int ncpus)
{
	unsigned long long m = 1;
	cpu_set_t set;

	/* Raw calls: get returns the kernel's mask size. */
	CHECK(syscall(SYS_sched_getaffinity, 0, 128, &set) == KMASK_BYTES);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 4, &m), EINVAL);   /* not whole longs */
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 0, &m), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 8, (void *)8), EFAULT);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 999999, 8, &m), ESRCH);
	CHECK_ERR(syscall(SYS_sched_getaffinity, -1, 8, &m), ESRCH);
	m = 0;
	CHECK_ERR(syscall(SYS_sched_setaffinity, 0, 8, &m), EINVAL);   /* empty */
	m = 1ull << 63;                         /* an offline CPU only */
	CHECK_ERR(syscall(SYS_sched_setaffinity, 0, 8, &m), EINVAL);
	m = 1ull << ncpus;
	if (ncpus < 64)
		CHECK_ERR(syscall(SYS_sched_setaffinity, 0, 8, &m), EINVAL);
	CHECK_ERR(syscall(SYS_sched_setaffinity, 0, 8, (void *)8), EFAULT);
	m = 1;
	CHECK_ERR(syscall(SYS_sched_setaffinity, 999999, 8, &m), ESRCH);
	/* A short mask: the missing bytes are zero (CPU 0 only). */
	CHECK(syscall(SYS_sched_setaffinity, 0, 1, &m) == 0);
	CHECK(sched_getaffinity(0, sizeof(set), &set) == 0);
	CHECK(only_cpu(&set) == 0);
	/* Failed calls changed nothing: still CPU 0 only. */
	m = 0;
	CHECK_ERR(syscall(SYS_sched_setaffinity, 0, 8, &m), EINVAL);
	CHECK(sched_getaffinity(0, sizeof(set), &set) == 0 && only_cpu(&set) == 0);
}

int main(int argc, char **argv)
{
	int ncpus, status, to_child[2], from_child[2];
	char buf[128], arg[16];
	cpu_set_t set, all;
	pid_t pid;

	check_name = "t_affinity";
	if (argc == 3 && !strcmp(argv[1], "exec-child")) {
		check_name = "t_affinity exec-child";
		CHECK(sched_getaffinity(0, sizeof(set), &set) == 0);
		CHECK(only_cpu(&set) == atoi(argv[2]));
		CHECK(sched_getcpu() == atoi(argv[2]));
		test_done();
	}
	ncpus = argc > 1 ? atoi(argv[1]) : 1;
	if (getpid() == 1)
		CHECK(mount("proc", "/proc", "proc", 0, NULL) == 0);

	/* Everything online to start with. */
	CHECK(sched_getaffinity(0, sizeof(all), &all) == 0);
	CHECK(CPU_COUNT(&all) == ncpus);
	CHECK(sysconf(_SC_NPROCESSORS_ONLN) == ncpus);
	snprintf(buf, sizeof(buf), ncpus == 1 ? "0" : "0-%d", ncpus - 1);
	CHECK(!strcmp(status_line("Cpus_allowed_list", arg, sizeof(arg)), buf));

	errors(ncpus);

	/* Each CPU in turn: the caller is there when the call returns, and
	 * stays there. */
	for (int c = 0; c < ncpus; c++) {
		pin(c);
		CHECK(sched_getcpu() == c);
		for (int i = 0; i < 100; i++) {
			sched_yield();
			if (sched_getcpu() != c) {
				CHECK(sched_getcpu() == c);
				break;
			}
		}
		CHECK(sched_getaffinity(0, sizeof(set), &set) == 0 && only_cpu(&set) == c);
		snprintf(buf, sizeof(buf), "%d", c);
		CHECK(!strcmp(status_line("Cpus_allowed_list", arg, sizeof(arg)), buf));
		snprintf(buf, sizeof(buf), "%x", 1u << c);
		CHECK(!strcmp(status_line("Cpus_allowed", arg, sizeof(arg)), buf));
	}

	/* Inherited across fork, kept across exec. */
	pid = fork();
	if (pid == 0) {
		check_name = "t_affinity child";
		CHECK(sched_getaffinity(0, sizeof(set), &set) == 0);
		CHECK(only_cpu(&set) == ncpus - 1);
		CHECK(sched_getcpu() == ncpus - 1);
		snprintf(arg, sizeof(arg), "%d", ncpus - 1);
		execl("/test/t_affinity", "t_affinity", "exec-child", arg, (char *)NULL);
		CHECK(0);
		_exit(1);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* Another process's mask, by pid: the child moves to CPU 0 while it
	 * waits, and reports where it runs. */
	CHECK(pipe(to_child) == 0 && pipe(from_child) == 0);
	pid = fork();
	if (pid == 0) {
		char c;
		int cpu;

		if (read(to_child[0], &c, 1) != 1)
			_exit(2);
		cpu = sched_getcpu();
		_exit(write(from_child[1], &cpu, sizeof(cpu)) == sizeof(cpu) ? 0 : 3);
	}
	CHECK(pid > 0);
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	CHECK(sched_setaffinity(pid, sizeof(set), &set) == 0);
	CHECK(sched_getaffinity(pid, sizeof(set), &set) == 0 && only_cpu(&set) == 0);
	{
		int cpu = -1;

		CHECK(write(to_child[1], "x", 1) == 1);
		CHECK(read(from_child[0], &cpu, sizeof(cpu)) == sizeof(cpu));
		CHECK(cpu == 0);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* Back to every CPU. */
	CHECK(sched_setaffinity(0, sizeof(all), &all) == 0);
	CHECK(sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_EQUAL(&set, &all));
	test_done();
}
