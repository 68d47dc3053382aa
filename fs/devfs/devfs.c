/*
 * devtmpfs: one tmpfs instance shared by every mount of the type, with a
 * node per known device. Block devices are numbered by vfs/blkdev.c as
 * devfs meets them.
 */
#include "fs/devfs/devfs.h"
#include "fs/tmpfs/tmpfs.h"
#include "kernel/block/block.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "vfs/internal.h"

struct devfs_node {
	const char *name;
	u32 mode;
	u32 major, minor;
};

static const struct devfs_node char_nodes[] = {
	{ "console", S_IFCHR | 0600, 5, 1 },
	{ "tty", S_IFCHR | 0666, 5, 0 },
	{ "ttyS0", S_IFCHR | 0660, 4, 64 },
	{ "null", S_IFCHR | 0666, 1, 3 },
	{ "zero", S_IFCHR | 0666, 1, 5 },
	{ "full", S_IFCHR | 0666, 1, 7 },
	{ "random", S_IFCHR | 0666, 1, 8 },
	{ "urandom", S_IFCHR | 0666, 1, 9 },
};

static struct file_system_type devtmpfs_type = {
	.name = "devtmpfs",
	.fs_flags = FS_SINGLETON,
	.fill_super = tmpfs_fill_super,
};

static int devfs_node(const char *dir, const char *name, u32 mode, dev_t dev)
{
	char path[64];
	int err;

	ksnprintf(path, sizeof(path), "%s/%s", dir, name);
	err = vfs_mknod(vfs_kernel_ctx(), NULL, path, mode, dev);
	if (err && err != -EEXIST)
		pr_warn("devfs: %s: error %d\n", path, err);
	return err == -EEXIST ? 0 : err;
}

int devfs_populate(const char *dir)
{
	struct block_device *bd, *next;
	int err = 0;
	dev_t dev;

	for (size_t i = 0; i < ARRAY_SIZE(char_nodes); i++) {
		const struct devfs_node *n = &char_nodes[i];
		int e = devfs_node(dir, n->name, n->mode, MKDEV(n->major, n->minor));

		if (!err)
			err = e;
	}
	for (bd = block_next(NULL); bd; bd = next) {
		dev = blkdev_add(bd);
		if (dev) {
			int e = devfs_node(dir, bd->name, S_IFBLK | 0660, dev);

			if (!err)
				err = e;
		}
		/* Held until block_next has used it as the cursor. */
		next = block_next(bd);
		block_put(bd);
	}
	return err;
}

int devfs_init(void)
{
	int err = devfs_mem_init();

	if (!err)
		err = devfs_console_init();
	if (!err)
		err = vfs_register_fs(&devtmpfs_type);
	return err;
}
