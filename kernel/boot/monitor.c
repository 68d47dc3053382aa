/*
 * The kernel monitor (monitor.h). It talks through the console terminal in
 * canonical mode, so the line discipline gives it echo and line editing.
 * It runs in the boot task; nothing else needs the console then.
 */
#include "kernel/boot/monitor.h"
#include "kernel/boot/main.h"
#include "kernel/arch/x86_64/power.h"
#include "kernel/block/block.h"
#include "kernel/lib/log.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/proc/tty.h"
#include "pci/pci.h"

#define MON_LINE 128

static void mon_printf(const char *fmt, ...) __printf(1, 2);

static void mon_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tty_kernel_write(buf, MIN((size_t)n, sizeof(buf) - 1));
}

static void mon_block_devices(void)
{
	struct block_device *bd, *next;
	int n = 0;

	mon_printf("Block devices:\n");
	for (bd = block_next(NULL); bd; bd = next) {
		mon_printf("  %-8s %8lu MiB  %lu sectors of %u bytes%s%s%s%s\n", bd->name,
			   (unsigned long)(bd->nr_sectors >> 11),
			   (unsigned long)bd->nr_sectors, bd->logical_block_size,
			   bd->read_only ? ", read-only" : "",
			   bd->serial[0] ? ", serial \"" : "", bd->serial,
			   bd->serial[0] ? "\"" : "");
		n++;
		/* Held until block_next has used it as the cursor. */
		next = block_next(bd);
		block_put(bd);
	}
	if (!n)
		mon_printf("  (none)\n");
}

static void mon_pci_devices(void)
{
	int n = 0;

	mon_printf("PCI devices:\n");
	for (struct pci_dev *d = pci_next(NULL); d; d = pci_next(d)) {
		struct device_driver *drv = READ_ONCE(d->dev.driver);

		mon_printf("  %s  %04x:%04x  class %06x  %s\n", d->dev.name, d->vendor,
			   d->device, d->class, drv ? drv->name : "(no driver)");
		n++;
	}
	if (!n)
		mon_printf("  (none)\n");
}

static void mon_log(void)
{
	char buf[256];
	u64 pos = 0;
	size_t n;

	while ((n = log_read(&pos, buf, sizeof(buf))) > 0)
		tty_kernel_write(buf, n);
}

static void mon_help(void)
{
	mon_printf("Commands:\n"
		   "  help      this list\n"
		   "  devices   block and PCI devices\n"
		   "  log       the kernel log\n"
		   "  reboot    restart the machine\n"
		   "  poweroff  turn the machine off\n");
}

/* The first word of line, NUL-terminated in place. */
static char *mon_word(char *line)
{
	char *w = line, *e;

	while (*w == ' ' || *w == '\t')
		w++;
	for (e = w; *e && *e != ' ' && *e != '\t' && *e != '\n'; e++)
		;
	*e = '\0';
	return w;
}

void monitor_run(const char *why)
{
	char line[MON_LINE];

	pr_err("monitor: userspace cannot start: %s\n", why);
	tty_reset_termios();
	mon_printf("\n%s: kernel monitor\nUserspace cannot start: %s\n\n", vireo_version, why);
	mon_block_devices();
	mon_pci_devices();
	mon_printf("\nType help for the commands.\n");
	for (;;) {
		ssize_t n;
		char *cmd;

		mon_printf("monitor> ");
		n = tty_kernel_read(line, sizeof(line) - 1);
		if (n < 0) {
			pr_err("monitor: console input failed (error %ld); halting\n", (long)n);
			machine_halt();
		}
		if (n == 0) {           /* ^D: nothing to end; a fresh prompt */
			mon_printf("\n");
			continue;
		}
		line[n] = '\0';
		cmd = mon_word(line);
		if (!*cmd)
			continue;
		if (!strcmp(cmd, "help")) {
			mon_help();
		} else if (!strcmp(cmd, "devices")) {
			mon_block_devices();
			mon_pci_devices();
		} else if (!strcmp(cmd, "log")) {
			mon_log();
		} else if (!strcmp(cmd, "reboot")) {
			mon_printf("Rebooting.\n");
			machine_reboot();
		} else if (!strcmp(cmd, "poweroff")) {
			mon_printf("Powering off.\n");
			machine_power_off(0);
		} else {
			mon_printf("%s: unknown command (help lists them)\n", cmd);
		}
	}
}
