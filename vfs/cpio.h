/*
 * cpio "newc" archives (the initramfs format): a pure parser, host tested.
 * No maintained header describes the format, so its layout is spelled
 * out in cpio.c (see the cpio(5) manual, "New ASCII Format").
 */
#ifndef VIREO_VFS_CPIO_H
#define VIREO_VFS_CPIO_H

#include "kernel/lib/types.h"

struct cpio_entry {
	const char *name;       /* not NUL-terminated in the archive */
	size_t namelen;         /* without the NUL */
	u32 ino, mode, uid, gid, nlink;
	u64 mtime;
	u32 dev_major, dev_minor, rdev_major, rdev_minor;
	const u8 *data;
	size_t size;
};

/*
 * Parse the entry at *off in buf[0, len): 1 with *e filled and *off past
 * it; 0 at the end of the archive (the end of buf, or a trailer followed
 * only by NUL padding; concatenated archives continue); -EINVAL for a
 * malformed one, with *why saying what is wrong (and *off where).
 */
int cpio_next(const u8 *buf, size_t len, size_t *off, struct cpio_entry *e,
	      const char **why);

#endif
