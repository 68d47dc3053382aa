/*
 * Bringing the namespace up: caches, built-in file systems, the rootfs
 * (a tmpfs, the namespace root, like Linux's), devfs at /dev; then the
 * real root: the initramfs if the boot loader gave one, else the root=
 * block device.
 */
#include "vfs/internal.h"
#include "fs/devfs/devfs.h"
#include "fs/tmpfs/tmpfs.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/block/block.h"
#include "kernel/boot/boot_info.h"
#include "kernel/boot/cmdline.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"

int vfs_init(void)
{
	int err;

	inode_cache_init();
	err = dcache_init();
	if (!err)
		err = tmpfs_init();
	if (!err)
		err = devfs_init();
	if (!err)
		err = mount_rootfs();
	if (!err)
		err = vfs_kernel_ctx_init();
	if (err) {
		pr_err("vfs: cannot set up the root file system: error %d\n", err);
		return err;
	}
	return mount_devfs("/dev", true);
}

int mount_devfs(const char *dir, bool create)
{
	const struct vfs_ctx *k = vfs_kernel_ctx();
	int err = create ? vfs_mkdir(k, NULL, dir, 0755) : 0;

	if (err && err != -EEXIST)
		return err;
	err = vfs_mount(k, "devtmpfs", dir, "devtmpfs", 0, NULL);
	if (!err)
		err = devfs_populate(dir);
	if (err)
		pr_err("vfs: devfs on %s: error %d\n", dir, err);
	return err;
}

static bool is_cpio(const struct boot_module *m)
{
	const char *p = phys_to_virt(m->base);

	return m->len >= 6 && !memcmp(p, "07070", 5);
}

static bool is_gzip(const struct boot_module *m)
{
	const u8 *p = phys_to_virt(m->base);

	return m->len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

/* root=/dev/NAME (or NAME) with rootfstype= (else every type that needs
 * a device, in registration order), mounted over the rootfs. */
static int mount_root_dev(const char *cmdline)
{
	char root[64], fstype[32], data[128], src[80];
	const char *name;
	struct file_system_type *type;
	struct block_device *bd;
	u32 flags = cmdline_get(cmdline, "ro", NULL, 0) ? MS_RDONLY : 0;
	int err;

	if (!cmdline_get(cmdline, "root", root, sizeof(root))) {
		pr_warn("vfs: no initramfs and no root=: / is an empty rootfs\n");
		return -ENOENT;
	}
	name = strncmp(root, "/dev/", 5) ? root : root + 5;
	if (!cmdline_get(cmdline, "rootflags", data, sizeof(data)))
		data[0] = 0;
	if (!cmdline_get(cmdline, "rootfstype", fstype, sizeof(fstype))) {
		pr_err("vfs: root=%s needs rootfstype= (e.g. rootfstype=ext2)\n", root);
		return -EINVAL;
	}
	type = vfs_find_fs(fstype);
	if (!type || !(type->fs_flags & FS_REQUIRES_DEV)) {
		pr_err("vfs: rootfstype=%s: no such block-device file system\n", fstype);
		return -ENODEV;
	}
	bd = block_get(name);
	if (!bd) {
		pr_err("vfs: root=%s: no such block device\n", root);
		return -ENODEV;
	}
	strlcpy(src, "/dev/", sizeof(src));
	strlcat(src, name, sizeof(src));
	err = mount_bdev_at(vfs_kernel_ctx(), type, bd, src, "/", flags,
			    data[0] ? data : NULL);
	if (err) {
		pr_err("vfs: cannot mount root=%s as %s: error %d\n", root, fstype, err);
		return err;
	}
	err = vfs_kernel_ctx_reroot();
	if (err)
		return err;
	pr_info("vfs: mounted %s (%s%s) on /\n", src, fstype,
		flags & MS_RDONLY ? ", read-only" : "");
	/* The new root's /dev, if it has one, gets devfs as on Linux. */
	err = mount_devfs("/dev", false);
	return err == -ENOENT ? 0 : err;
}

int mount_root(const char *cmdline)
{
	const struct boot_info *bi = boot_info;
	int err;

	for (u32 i = 0; i < bi->nr_modules; i++) {
		const struct boot_module *m = &bi->modules[i];

		if (is_gzip(m)) {
			pr_err("vfs: boot module %u is a gzip-compressed initramfs; only uncompressed cpio newc is supported\n", i);
			continue;
		}
		if (!is_cpio(m)) {
			pr_warn("vfs: boot module %u is not a cpio newc archive; ignored\n", i);
			continue;
		}
		err = initramfs_unpack(phys_to_virt(m->base), m->len);
		if (err)
			pr_err("vfs: initramfs (module %u) unpacked with errors\n", i);
		return err;
	}
	return mount_root_dev(cmdline);
}
