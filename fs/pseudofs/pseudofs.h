/*
 * pseudofs: the machinery sysfs and procfs share. Their trees are not
 * stored anywhere: every directory is a function that lists its entries
 * from the kernel's own objects (the device model, the block registry,
 * the task list), every file a function that formats one of them.
 *
 * A node (struct pfs_node) says what an entry is and how to find its
 * object again: by name (a device, a block device) or number (a pid, a
 * CPU), never by a pointer that could outlive the object. So an entry
 * whose object went away fails with -ENOENT on its next use instead of
 * touching freed memory, and a new object shows up at the next lookup.
 *
 * Files are snapshots: show() runs once at open, reads are served from
 * that text, so reading in small chunks gives one consistent state. A
 * write hands the written bytes to store() in one piece. Files without a
 * store() refuse opening for writing with -EACCES, even for root.
 */
#ifndef VIREO_FS_PSEUDOFS_PSEUDOFS_H
#define VIREO_FS_PSEUDOFS_PSEUDOFS_H

#include "fs/pseudofs/buf.h"
#include "vfs/vfs.h"

#define PFS_KEY_LEN 32
/* The most a single write() hands to store() (Linux's sysfs: a page). */
#define PFS_STORE_MAX 4096

struct pfs_node;
struct pfs_lister;

struct pfs_ops {
	/* Directories: pfs_emit() each entry; stop early when it returns
	 * false. 0, or -ENOENT if the directory's object is gone. */
	int (*list)(const struct pfs_node *dir, struct pfs_lister *l);
	/* Files: the contents; symlinks: the target. 0 or a negative errno. */
	int (*show)(const struct pfs_node *n, struct pfs_buf *b);
	/* Writable files: bytes taken or a negative errno. buf holds len
	 * bytes and a NUL after them. */
	ssize_t (*store)(const struct pfs_node *n, const char *buf, size_t len);
};

struct pfs_node {
	const struct pfs_ops *ops;
	u32 mode;                       /* S_IFDIR/S_IFREG/S_IFLNK | perms */
	const void *obj;                /* a static object (bus, driver, attr) */
	const void *obj2;               /* a second one (the bus of an attr) */
	u64 num;                        /* a pid, CPU id, index */
	char key[PFS_KEY_LEN];          /* a device or block device name */
};

/* Give dir one entry: false when the lister wants no more. */
bool pfs_emit(struct pfs_lister *l, const char *name, const struct pfs_node *n);

/* A file system whose tree starts at root. file_size is what stat shows
 * for regular files (Linux: 4096 in sysfs, 0 in procfs). */
struct pfs_fs {
	const struct pfs_node *root;
	u64 magic;
	u64 file_size;
};

/* For a file_system_type's fill_super: data is its struct pfs_fs. */
int pfs_fill_super(struct super_block *sb, const struct pfs_fs *fs);

#endif
