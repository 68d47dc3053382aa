/*
 * tmpfs private structures, shared by its directory code (tmpfs.c) and
 * its file data code (file.c).
 *
 * Every tmpfs inode's fields and private data are protected by its
 * i_mutex (the VFS holds it around directory operations, writes and
 * truncation; tmpfs takes it itself for reads and readdir). The super
 * block's page count is protected by tsb->lock.
 */
#ifndef VIREO_FS_TMPFS_INTERNAL_H
#define VIREO_FS_TMPFS_INTERNAL_H

#include "fs/tmpfs/tmpfs.h"

struct tmpfs_sb {
	struct spinlock lock;           /* used_pages, next_ino, inodes;
					 * and changes to a file's page slots,
					 * for tmpfs_get_page (file.c) */
	u64 max_pages;
	u64 used_pages;
	u64 next_ino;
	struct inode *root;             /* held by tmpfs */
	struct list_node inodes;        /* struct tmpfs_inode, for umount */
};

/* A directory entry; it holds a reference on its inode. */
struct tmpfs_dirent {
	struct list_node node;          /* in the directory, by pos */
	struct inode *inode;
	u64 pos;                        /* readdir cookie; >= 2 */
	u32 len;
	char name[];
};

struct tmpfs_inode {
	struct inode *inode;
	struct list_node sb_node;       /* tsb->inodes; tsb->lock */
	/* Directory */
	struct list_node entries;
	u64 next_pos;
	u64 parent_ino;                 /* for ".." in readdir */
	/* Regular file: pages[i] is the page at offset i * PAGE_SIZE, or
	 * NULL for a hole. Changed under i_mutex and the sb lock both: read
	 * under either. */
	u8 **pages;
	u64 nr_slots;
	/* Symlink */
	char *target;
};

static inline struct tmpfs_inode *TI(struct inode *i)
{
	return i->i_private;
}

static inline struct tmpfs_sb *TSB(struct super_block *sb)
{
	return sb->s_fs_info;
}

extern const struct inode_operations tmpfs_file_iops;
extern const struct file_operations tmpfs_file_fops;
/* Free all data pages of a regular file (eviction). */
void tmpfs_free_data(struct inode *inode);
/* Cut or extend a regular file to size (i_mutex held). */
int tmpfs_truncate(struct inode *inode, u64 size);
int tmpfs_setattr(struct inode *inode, const struct vfs_attr *attr);

#endif
