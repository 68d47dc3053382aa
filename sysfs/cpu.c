/*
 * /sys/devices/system/cpu: online, possible and present as CPU lists
 * ("0-3"), and a cpuN/ directory per CPU. Vireo runs every CPU the MADT
 * lists and has no CPU hotplug, so the three lists are the same: the CPUs
 * that started.
 */
#include "sysfs/internal.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/printf.h"

static int cpu_list_show(const struct pfs_node *n, struct pfs_buf *b)
{
	u32 count = cpu_count();

	(void)n;
	if (count > 1)
		pfs_printf(b, "0-%u\n", count - 1);
	else
		pfs_printf(b, "0\n");
	return 0;
}

static int cpu_online_show(const struct pfs_node *n, struct pfs_buf *b)
{
	if (!cpu_get((u32)n->num))
		return -ENOENT;
	pfs_printf(b, "1\n");
	return 0;
}

static const struct pfs_ops cpu_list_ops = { .show = cpu_list_show };
static const struct pfs_ops cpu_online_ops = { .show = cpu_online_show };

static int cpu_n_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	struct pfs_node n = { .ops = &cpu_online_ops, .mode = S_IFREG | 0444,
			      .num = dir->num };

	if (!cpu_get((u32)dir->num))
		return -ENOENT;
	pfs_emit(l, "online", &n);
	return 0;
}

static const struct pfs_ops cpu_n_ops = { .list = cpu_n_list };

static int cpu_dir_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	static const char *const lists[] = { "online", "possible", "present" };
	char name[16];

	(void)dir;
	for (u32 i = 0; i < 3; i++) {
		struct pfs_node n = { .ops = &cpu_list_ops, .mode = S_IFREG | 0444 };

		if (!pfs_emit(l, lists[i], &n))
			return 0;
	}
	for (u32 i = 0; i < cpu_count(); i++) {
		struct pfs_node n = { .ops = &cpu_n_ops, .mode = S_IFDIR | 0755, .num = i };

		ksnprintf(name, sizeof(name), "cpu%u", i);
		if (!pfs_emit(l, name, &n))
			return 0;
	}
	return 0;
}

const struct pfs_ops sysfs_cpu_dir_ops = { .list = cpu_dir_list };
