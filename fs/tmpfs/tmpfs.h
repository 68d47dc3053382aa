/*
 * tmpfs: files that live in memory only. Used for the rootfs (and so the
 * unpacked initramfs), /tmp, and devfs, which is a tmpfs filled with
 * device nodes.
 */
#ifndef VIREO_FS_TMPFS_TMPFS_H
#define VIREO_FS_TMPFS_TMPFS_H

#include "vfs/vfs.h"

int tmpfs_init(void);
/* Fill sb as a tmpfs (for file systems built on it, like devfs). */
int tmpfs_fill_super(struct super_block *sb, struct block_device *bdev,
		     const char *data, u32 flags);

#endif
