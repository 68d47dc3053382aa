/*
 * kmain: bring the kernel up in dependency order, then run the tests (if
 * the command line says `test`) or userspace.
 */
#include "kernel/boot/main.h"
#include "kernel/boot/cmdline.h"
#include "kernel/boot/monitor.h"
#include "kernel/acpi/acpi.h"
#include "kernel/arch/x86_64/irq.h"
#include "kernel/arch/x86_64/power.h"
#include "kernel/arch/x86_64/smp.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/console/console.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"
#include "kernel/mm/mm.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/tty.h"
#include "net/net.h"
#include "pci/pci.h"
#include "virtio/virtio.h"
#include "virtio/blk.h"
#include "vfs/vfs.h"
#include "kernel/test/ktest.h"
#include "kernel/sched/sched.h"
#include "kernel/sched/spinlock.h"
#include "kernel/time/clock.h"
#include "kernel/time/timer.h"
#include "fs/procfs/procfs.h"
#include "sysfs/sysfs.h"
#include "fs/ext2/ext2.h"
#include "vfs/buffer.h"

const char vireo_version[] = "Vireo 0.1.0 (" __VERSION__ ")";

static void log_boot_info(const struct boot_info *bi)
{
	u64 ram = 0;

	pr_info("boot: %s%s%s, command line: %s\n", boot_proto_name(bi->proto),
		bi->loader[0] ? " via " : "", bi->loader, bi->cmdline);
	for (u32 i = 0; i < bi->nr_mem; i++) {
		const struct boot_mem_region *m = &bi->mem[i];

		pr_debug("boot: mem [0x%012lx-0x%012lx] type %u\n",
			 (unsigned long)m->base, (unsigned long)(m->base + m->len - 1),
			 m->type);
		if (m->type == BOOT_MEM_RAM)
			ram += m->len;
	}
	pr_info("boot: %u memory regions, %lu MiB usable RAM\n", bi->nr_mem,
		(unsigned long)(ram >> 20));
	for (u32 i = 0; i < bi->nr_modules; i++)
		pr_info("boot: module %u at %#lx, %lu bytes \"%s\"\n", i,
			(unsigned long)bi->modules[i].base,
			(unsigned long)bi->modules[i].len, bi->modules[i].cmdline);
	if (bi->efi_systab_phys)
		pr_info("boot: UEFI system table at %#lx\n",
			(unsigned long)bi->efi_systab_phys);
	if (bi->has_fb)
		pr_info("boot: framebuffer %ux%u %ubpp at %#lx\n", bi->fb.width,
			bi->fb.height, bi->fb.bpp, (unsigned long)bi->fb.addr);
}

void kmain(const struct boot_info *bi)
{
	char patterns[256];
	int root_err;

	pr_notice("%s booting\n", vireo_version);
	log_boot_info(bi);
	mm_init(bi);
	acpi_init(bi->rsdp_phys);
	if (cmdline_get(bi->cmdline, "test", NULL, 0) ||
	    cmdline_get(bi->cmdline, "lockdebug", NULL, 0))
		lock_debug_enable();
	clock_init(bi->cmdline);
	irq_init();
	timer_cpu_init(NULL);
	sched_init();
	serial_rx_init();
	tty_init(bi->cmdline);
	irq_enable();
	smp_init();
	pci_init();
	virtio_init();
	virtio_pci_init();
	virtio_rng_init();
	virtio_blk_init();
	net_init();
	virtio_net_init();
	net_config(bi->cmdline);
	root_err = vfs_init();
	if (!root_err) {
		sysfs_init();
		procfs_init(bi->cmdline);
		bcache_init();
		ext2_init();
		root_err = mount_root(bi->cmdline);
	}

	if (cmdline_get(bi->cmdline, "bench", patterns, sizeof(patterns)) &&
	    !strcmp(patterns, "sched")) {
		sched_bench();
		machine_power_off(0);
	}
	if (cmdline_get(bi->cmdline, "bench", patterns, sizeof(patterns)) &&
	    !strcmp(patterns, "mm")) {
		mm_bench();
		machine_power_off(0);
	}
	if (cmdline_get(bi->cmdline, "bench", patterns, sizeof(patterns)) &&
	    !strcmp(patterns, "blk")) {
		virtio_blk_bench();
		machine_power_off(0);
	}
	if (cmdline_get(bi->cmdline, "bench", patterns, sizeof(patterns)) &&
	    !strcmp(patterns, "net")) {
		net_bench(bi->cmdline);
		machine_power_off(0);
	}
	if (cmdline_get(bi->cmdline, "bench", patterns, sizeof(patterns)) &&
	    !strcmp(patterns, "ext2")) {
		ext2_bench();
		machine_power_off(0);
	}
	if (cmdline_get(bi->cmdline, "test", patterns, sizeof(patterns))) {
		int failed = ktest_run(patterns);

		machine_power_off(failed ? 1 : 0);
	}

	if (root_err)
		monitor_run(root_err == -ENOENT ? "no root file system: no initramfs and no root="
				: "no root file system: it could not be mounted (see the log)");
	/* PID 1 from the initramfs (a boot module) or the root device. */
	if (!proc_start_init(bi->cmdline, bi->nr_modules > 0))
		task_exit();
	monitor_run("init could not be started (see the log)");
}
