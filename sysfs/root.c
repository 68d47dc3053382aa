/*
 * The /sys directory, /sys/kernel, /sys/class, and the "sysfs" file
 * system type.
 */
#include "sysfs/internal.h"
#include "sysfs/sysfs.h"
#include "kernel/lib/log.h"
#include <linux/magic.h>

/* /sys/kernel: what Linux's tools read without needing a driver. */
static int kernel_attr_show(const struct pfs_node *n, struct pfs_buf *b)
{
	switch (n->num) {
	case 0:
		pfs_printf(b, "%u\n", (unsigned)(sizeof(void *) * 8));
		break;
	case 1:
		pfs_printf(b, "little\n");
		break;
	default:
		/* No hotplug events are ever sent. */
		pfs_printf(b, "0\n");
		break;
	}
	return 0;
}

static const struct pfs_ops kernel_attr_ops = { .show = kernel_attr_show };

static int kernel_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	static const char *const names[] = {
		"address_bits", "cpu_byteorder", "uevent_seqnum",
	};

	(void)dir;
	for (u64 i = 0; i < 3; i++) {
		struct pfs_node n = { .ops = &kernel_attr_ops, .mode = S_IFREG | 0444,
				      .num = i };

		if (!pfs_emit(l, names[i], &n))
			break;
	}
	return 0;
}

static const struct pfs_ops kernel_ops = { .list = kernel_list };

static int class_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	/* Links in class/block sit two levels below /sys. */
	static const struct pfs_node block = { .ops = &sysfs_block_links_ops,
					       .mode = S_IFDIR | 0755, .num = 2 };

	static const struct pfs_node net = { .ops = &sysfs_net_class_ops,
					     .mode = S_IFDIR | 0755 };

	(void)dir;
	if (pfs_emit(l, "block", &block))
		pfs_emit(l, "net", &net);
	return 0;
}

static const struct pfs_ops class_ops = { .list = class_list };

static int sys_root_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	static const struct pfs_node entries[] = {
		{ .ops = &sysfs_block_links_ops, .mode = S_IFDIR | 0755, .num = 1 },
		{ .ops = &sysfs_bus_root_ops, .mode = S_IFDIR | 0755 },
		{ .ops = &class_ops, .mode = S_IFDIR | 0755 },
		{ .ops = &sysfs_devices_root_ops, .mode = S_IFDIR | 0755 },
		{ .ops = &kernel_ops, .mode = S_IFDIR | 0755 },
	};
	static const char *const names[] = { "block", "bus", "class", "devices", "kernel" };

	(void)dir;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!pfs_emit(l, names[i], &entries[i]))
			break;
	return 0;
}

static const struct pfs_ops sys_root_ops = { .list = sys_root_list };
static const struct pfs_node sys_root = { .ops = &sys_root_ops, .mode = S_IFDIR | 0755 };
/* Linux's sysfs says 4096 for every attribute, whatever it holds. */
static const struct pfs_fs sys_fs = { .root = &sys_root, .magic = SYSFS_MAGIC,
				      .file_size = 4096 };

static int sysfs_fill_super(struct super_block *sb, struct block_device *bdev,
			    const char *data, u32 flags)
{
	(void)bdev;
	(void)data;
	(void)flags;
	return pfs_fill_super(sb, &sys_fs);
}

static struct file_system_type sysfs_type = {
	.name = "sysfs",
	.fill_super = sysfs_fill_super,
};

int sysfs_init(void)
{
	int err = vfs_register_fs(&sysfs_type);

	if (err)
		pr_err("sysfs: cannot register (%d)\n", err);
	return err;
}
