/*
 * The kernel monitor: where the boot ends when userspace cannot start (no
 * root file system, no init, init failed to run). It says why, lists the
 * block and PCI devices the kernel found (what root= could name), and
 * takes a few commands on the console: help, devices, log, reboot,
 * poweroff. A safety net to read the situation from, not a shell.
 */
#ifndef VIREO_BOOT_MONITOR_H
#define VIREO_BOOT_MONITOR_H

#include "kernel/lib/compiler.h"

void __noreturn monitor_run(const char *why);

#endif
