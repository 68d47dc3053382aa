/* Power off, reboot and halt, each falling back to the next mechanism. */
#include "kernel/arch/x86_64/power.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/acpi/acpi.h"
#include "kernel/lib/log.h"
#include "kernel/time/clock.h"

void machine_halt(void)
{
	irq_disable();
	for (;;)
		halt();
}

void machine_power_off(int status)
{
	irq_disable();
	/* Harmless when the device is absent: nothing decodes port 0xf4. */
	outl(ISA_DEBUG_EXIT_PORT, (u32)status);
	acpi_power_off();
	pr_emerg("power: no way to power off; halting\n");
	machine_halt();
}

void machine_reboot(void)
{
	struct {
		u16 limit;
		u64 base;
	} __packed null_idt = { 0, 0 };

	irq_disable();
	acpi_reset();
	/* 8042 keyboard controller: pulse the reset line. */
	for (int i = 0; i < 10000 && (inb(0x64) & 0x02); i++)
		cpu_relax();
	outb(0x64, 0xfe);
	udelay(50000);
	/* Triple fault: no IDT, then any exception. */
	__asm__ __volatile__("lidt %0; int3" : : "m"(null_idt));
	machine_halt();
}
