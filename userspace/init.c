/*
 * Vireo's default /sbin/init: mount /proc and /sys where the kernel has
 * them, run /etc/rc if present, then a shell on the console (respawned
 * when it exits), reaping orphans meanwhile. Arguments after "--" on the
 * kernel command line are passed to the shell.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run argv; a shell gets a session of its own with the console as its
 * controlling terminal (what job control needs), as Linux's inits do. */
static pid_t spawn(char *const argv[], int session)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (session && (setsid() < 0 || ioctl(0, TIOCSCTTY, 0) < 0))
			fprintf(stderr, "init: no controlling terminal: %s\n", strerror(errno));
		execv(argv[0], argv);
		fprintf(stderr, "init: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		fprintf(stderr, "init: fork: %s\n", strerror(errno));
	return pid;
}

/* Wait for pid, reaping any other child (orphans) on the way. */
static int wait_for(pid_t pid)
{
	int status;
	pid_t r;

	while ((r = wait(&status)) >= 0 || errno == EINTR)
		if (r == pid)
			return status;
	return -1;
}

int main(int argc, char **argv)
{
	struct stat st;
	char *rc[] = { "/bin/sh", "/etc/rc", NULL };
	char *sh[34] = { "/bin/sh" };

	if (!stat("/proc", &st) && mount("proc", "/proc", "proc", 0, NULL) && errno != ENODEV)
		fprintf(stderr, "init: mount /proc: %s\n", strerror(errno));
	if (!stat("/sys", &st) && mount("sysfs", "/sys", "sysfs", 0, NULL) && errno != ENODEV)
		fprintf(stderr, "init: mount /sys: %s\n", strerror(errno));
	if (!access("/etc/rc", R_OK))
		wait_for(spawn(rc, 0));
	for (int i = 1; i < argc && i < 33; i++)
		sh[i] = argv[i];
	for (;;) {
		pid_t pid = spawn(sh, 1);

		if (pid < 0 || wait_for(pid) < 0 || argc > 1)
			return 0;       /* a one-shot command line: done */
	}
}
