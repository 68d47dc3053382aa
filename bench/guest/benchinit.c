/*
 * /init of the benchmark boots, the same binary on Vireo and on Linux.
 *
 * Prints "BENCH-INIT start" before anything else (the host times QEMU
 * start to that line), then makes the machine usable the way each kernel
 * needs it, ignoring what the kernel already did:
 *   - mounts proc, sysfs and devtmpfs (Vireo has them mounted already);
 *   - loads the kernel modules listed in /lib/modules/order with
 *     finit_module, in that order (only the Linux initramfs has them);
 *   - waits for the disks the benchmarks use to appear in /dev;
 *   - gives eth0 QEMU user networking's static address when it has none
 *     (Vireo configures it from `ip=` on its command line; Debian's kernel
 *     has no such option built in, so on Linux this is done here).
 * Then, by its first argument (from after "--" on the kernel command line):
 *   boot          print "BENCH-INIT ready" and power off;
 *   run [PORT]    run every benchmark program in /bin, each a child
 *                 process, then power off; PORT is the host's TCP sink.
 * /proc/interrupts is printed around each benchmark program ("IRQS <name>
 * before|after" lines), so device interrupts and inter-processor
 * interrupts (rescheduling, function calls, TLB shootdowns) per operation
 * can be counted on both kernels.
 */
#define _GNU_SOURCE
#include "bench.h"
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* QEMU's user network (slirp) defaults: 10.0.2.0/24, gateway .2. */
#define GUEST_ADDR "10.0.2.15"
#define GUEST_MASK "255.255.255.0"
#define GATEWAY "10.0.2.2"

static void say(const char *s)
{
	ssize_t r = write(1, s, strlen(s));

	(void)r;
}

static void mount_if_missing(const char *src, const char *dir, const char *type)
{
	mkdir(dir, 0755);
	/* EBUSY: already mounted here (Vireo's /dev); ENODEV: no such type. */
	if (mount(src, dir, type, 0, NULL) && errno != EBUSY)
		printf("benchinit: mount %s on %s: %s\n", type, dir, strerror(errno));
}

static void load_modules(void)
{
	FILE *f = fopen("/lib/modules/order", "r");
	char line[256];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		int fd;

		line[strcspn(line, "\n")] = 0;
		fd = open(line, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) && errno != EEXIST))
			printf("benchinit: load %s: %s\n", line, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	fclose(f);
}

/* Device probing may finish after finit_module returns: wait up to 2 s. */
static void wait_for(const char *path)
{
	struct stat st;

	for (int i = 0; i < 200 && stat(path, &st); i++)
		usleep(10000);
}

static int set_addr(int s, unsigned long req, const char *ifname, const char *addr)
{
	struct ifreq ifr = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &sin->sin_addr);
	return ioctl(s, req, &ifr);
}

static void configure_net(void)
{
	struct ifreq ifr = { .ifr_name = "eth0" };
	struct rtentry rt = { .rt_flags = RTF_UP | RTF_GATEWAY };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s < 0) {
		printf("benchinit: no sockets (%s): network not configured\n", strerror(errno));
		return;
	}
	if (!ioctl(s, SIOCGIFADDR, &ifr))
		goto out;               /* the kernel did it (ip=) */
	if (set_addr(s, SIOCSIFADDR, "eth0", GUEST_ADDR) ||
	    set_addr(s, SIOCSIFNETMASK, "eth0", GUEST_MASK) ||
	    ioctl(s, SIOCGIFFLAGS, &ifr)) {
		printf("benchinit: eth0: %s\n", strerror(errno));
		goto out;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr)) {
		printf("benchinit: eth0 up: %s\n", strerror(errno));
		goto out;
	}
	((struct sockaddr_in *)&rt.rt_dst)->sin_family = AF_INET;
	((struct sockaddr_in *)&rt.rt_genmask)->sin_family = AF_INET;
	((struct sockaddr_in *)&rt.rt_gateway)->sin_family = AF_INET;
	inet_pton(AF_INET, GATEWAY, &((struct sockaddr_in *)&rt.rt_gateway)->sin_addr);
	if (ioctl(s, SIOCADDRT, &rt))
		printf("benchinit: default route: %s\n", strerror(errno));
out:
	close(s);
}

static void print_interrupts(const char *bench, const char *when)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[512];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		printf("IRQS %s %s %s", bench, when, line);
	fclose(f);
	fflush(stdout);
}

/* Run argv[0] as a child and wait for it. */
static void run(const char *bench, char *const argv[])
{
	int status;
	pid_t pid;

	print_interrupts(bench, "before");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execv(argv[0], argv);
		bench_na(bench, "exec %s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		bench_na(bench, "fork: %s", strerror(errno));
	else if (waitpid(pid, &status, 0) == pid && status)
		printf("benchinit: %s exited with status %#x\n", argv[0], status);
	print_interrupts(bench, "after");
}

static void run_all(const char *port)
{
	char *getppid[] = { "/bin/getppid", NULL };
	char *forkexec[] = { "/bin/forkexec", NULL };
	char *forkexit[] = { "/bin/forkexec", "exit", NULL };
	char *pipe[] = { "/bin/pipe", NULL };
	char *ctxsw[] = { "/bin/pipe", "ctxsw", NULL };
	char *blk[] = { "/bin/blk", "/dev/vdb", NULL };
	char *ext2[] = { "/bin/ext2", "/dev/vdc", NULL };
	char *tcp[] = { "/bin/tcp", GATEWAY, (char *)port, NULL };

	run("getppid", getppid);
	run("forkexec", forkexec);
	run("forkexit", forkexit);
	run("pipe", pipe);
	run("ctxsw", ctxsw);
	run("blk", blk);
	run("ext2", ext2);
	if (port)
		run("tcp", tcp);
}

int main(int argc, char **argv)
{
	say("BENCH-INIT start\n");
	mount_if_missing("proc", "/proc", "proc");
	mount_if_missing("sysfs", "/sys", "sysfs");
	mount_if_missing("devtmpfs", "/dev", "devtmpfs");
	load_modules();
	wait_for("/dev/vdc");
	configure_net();

	if (argc > 1 && !strcmp(argv[1], "run"))
		run_all(argc > 2 ? argv[2] : NULL);
	say("BENCH-INIT ready\n");
	sync();
	reboot(RB_POWER_OFF);
	printf("benchinit: power off: %s\n", strerror(errno));
	return 1;
}
