/*
 * User faults: each child does one forbidden thing and must die of the
 * signal Linux sends, while the parent lives and sees it in wait4.
 */
#include "check.h"
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int zero;
/* Addresses kept out of the compiler's sight, so it emits the access. */
static volatile uintptr_t null_addr = 8;
static volatile int depth_limit = 1 << 30;

static void null_read(void) { (void)*(volatile int *)0; }
static void null_write(void) { *(volatile int *)null_addr = 1; }
static void text_write(void) { *(volatile unsigned char *)(uintptr_t)null_read = 0xc3; }
static void kernel_read(void) { (void)*(volatile long *)0xffff800000100000UL; }
static void kernel_write(void) { *(volatile long *)0xffffffff80100000UL = 1; }
static void kernel_jump(void) { ((void (*)(void))0xffffffff80100000UL)(); }
static void noncanonical(void) { (void)*(volatile long *)0x0000900000000000UL; }
static void illegal(void) { __asm__ volatile("ud2"); }
static void privileged(void) { __asm__ volatile("hlt"); }
static void divide(void)
{
	int q, d = zero;

	__asm__ volatile("cltd; idivl %2" : "=a"(q) : "a"(1), "r"(d) : "edx");
	zero = q;
}
static void int_overflow_div(void)
{
	volatile long a = INT64_MIN, b = -1;

	a = a / b;
}

static void prot_none(void)
{
	char *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)*(volatile char *)p;
}

static void ro_write(void)
{
	char *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	*(volatile char *)p = 1;
}

static void nx_exec(void)
{
	unsigned char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	p[0] = 0xc3;            /* ret, but the page is not executable */
	((void (*)(void))p)();
}

static int recurse(int n)
{
	volatile char pad[4096];

	pad[0] = (char)n;
	if (n >= depth_limit)
		return 0;
	return recurse(n + 1) + pad[0];
}

static void stack_overflow(void) { recurse(0); }

static void run(const char *name, void (*fn)(void), int sig)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		fn();
		_exit(0);
	}
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != sig) {
		printf("t_fault: %s: status %#x, expected signal %d\n", name, status, sig);
		check_failures++;
	} else {
		printf("t_fault: %s: killed by signal %d as expected\n", name, sig);
	}
}

int main(void)
{
	check_name = "t_fault";
	run("null read", null_read, SIGSEGV);
	run("null write", null_write, SIGSEGV);
	run("write to text", text_write, SIGSEGV);
	run("kernel read", kernel_read, SIGSEGV);
	run("kernel write", kernel_write, SIGSEGV);
	run("kernel jump", kernel_jump, SIGSEGV);
	run("non-canonical", noncanonical, SIGSEGV);
	run("ud2", illegal, SIGILL);
	run("hlt", privileged, SIGSEGV);
	run("divide by zero", divide, SIGFPE);
	run("INT64_MIN / -1", int_overflow_div, SIGFPE);
	run("PROT_NONE read", prot_none, SIGSEGV);
	run("read-only write", ro_write, SIGSEGV);
	run("NX exec", nx_exec, SIGSEGV);
	run("stack overflow", stack_overflow, SIGSEGV);
	test_done();
}
