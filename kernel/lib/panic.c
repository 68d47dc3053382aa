/*
 * panic(): print why, where (a symbolized backtrace), stop every CPU.
 * `panic=N` as on Linux: N > 0 reboots after N seconds, N < 0 at once,
 * 0 (default) halts for good. Tests run QEMU with -no-reboot and panic=-1
 * so a panic ends the VM instead of hanging it.
 */
#include "kernel/lib/log.h"
#include "kernel/lib/printf.h"
#include "kernel/arch/x86_64/traps.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/apic.h"
#include "kernel/arch/x86_64/power.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/boot/boot_info.h"
#include "kernel/boot/cmdline.h"
#include "kernel/time/clock.h"

static u32 panic_depth;

void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	long timeout;

	irq_disable();
	if (__atomic_fetch_add(&panic_depth, 1, __ATOMIC_SEQ_CST)) {
		/* Panic while panicking (or on another CPU): just stop. */
		machine_halt();
	}
	log_enter_panic();
	/* Stop every other CPU: their NMI handler sees the panic and halts
	 * (traps.c). Only once other CPUs exist, i.e. the LAPIC is up. */
	if (cpu_count() > 1) {
		pr_emerg("panic: stopping %u other CPUs\n", cpu_count() - 1);
		lapic_send_nmi_others();
	}
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	pr_emerg("Kernel panic - not syncing: %s\n", msg);
	backtrace_print(&log_sink, (u64)__builtin_frame_address(0));
	pr_emerg("---[ end Kernel panic - not syncing: %s ]---\n", msg);

	timeout = cmdline_get_long(boot_info->cmdline, "panic", 0);
	if (timeout < 0)
		machine_reboot();
	if (timeout > 0) {
		pr_emerg("Rebooting in %ld seconds..\n", timeout);
		udelay((u64)timeout * 1000000);
		machine_reboot();
	}
	machine_halt();
}

/* -fstack-protector-strong with -mstack-protector-guard=global. The guard
 * is randomized in boot.S before the first C function runs. */
unsigned long __stack_chk_guard = 0x595e9fbd94fda766UL;
void __noreturn __stack_chk_fail(void);
void __stack_chk_fail(void)
{
	panic("stack protector: kernel stack corrupted in %p",
	      __builtin_return_address(0));
}
