/* Leaving the machine: power off, reboot, halt. */
#ifndef VIREO_ARCH_POWER_H
#define VIREO_ARCH_POWER_H

#include "kernel/lib/compiler.h"

/*
 * Power off. With QEMU's isa-debug-exit device (port 0xf4) QEMU exits with
 * status (status << 1) | 1, which is how tests report; else ACPI S5; else
 * every CPU halts.
 */
void __noreturn machine_power_off(int status);
/* ACPI reset register, else the keyboard controller, else a triple fault. */
void __noreturn machine_reboot(void);
/* Stop this CPU for good (interrupts off). */
void __noreturn machine_halt(void);

#define ISA_DEBUG_EXIT_PORT 0xf4

#endif
