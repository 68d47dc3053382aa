/*
 * tmpfs: super block, inodes, directories, symlinks and device nodes.
 *
 * A directory is a list of entries in creation order; each entry's pos
 * is its readdir cookie (0 and 1 are "." and ".."), so a readdir that
 * resumes after entries were removed or added neither repeats nor skips
 * the entries that stayed. Entries hold references on their inodes: a
 * linked inode stays in memory for the life of the mount, an unlinked
 * one goes when its last user lets go.
 */
#include "fs/tmpfs/internal.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/err.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/pmm.h"
#include <linux/magic.h>        /* TMPFS_MAGIC */

static const struct inode_operations tmpfs_dir_iops;
static const struct file_operations tmpfs_dir_fops;
static const struct inode_operations tmpfs_symlink_iops;
static const struct inode_operations tmpfs_special_iops;

/* A new inode of mode for uid/gid, held by the caller. */
static struct inode *tmpfs_new_inode(struct super_block *sb, u32 mode, dev_t rdev,
				     u32 uid, u32 gid)
{
	struct tmpfs_sb *tsb = TSB(sb);
	struct tmpfs_inode *ti = kzalloc(sizeof(*ti), GFP_KERNEL);
	struct inode *inode;
	u64 ino;

	if (!ti)
		return ERR_PTR(-ENOMEM);
	spin_lock(&tsb->lock);
	ino = tsb->next_ino++;
	spin_unlock(&tsb->lock);
	inode = new_inode(sb, ino);
	if (IS_ERR(inode)) {
		kfree(ti);
		return inode;
	}
	ti->inode = inode;
	list_init(&ti->entries);
	ti->next_pos = 2;
	inode->i_private = ti;
	inode->i_mode = mode;
	inode->i_uid = uid;
	inode->i_gid = gid;
	inode->i_nlink = 1;
	inode->i_rdev = rdev;
	inode->i_atime = inode->i_mtime = inode->i_ctime = vfs_now();
	switch (mode & S_IFMT) {
	case S_IFDIR:
		inode->i_nlink = 2;
		inode->i_op = &tmpfs_dir_iops;
		inode->i_fop = &tmpfs_dir_fops;
		break;
	case S_IFREG:
		inode->i_op = &tmpfs_file_iops;
		inode->i_fop = &tmpfs_file_fops;
		break;
	case S_IFLNK:
		inode->i_op = &tmpfs_symlink_iops;
		break;
	default:
		inode->i_op = &tmpfs_special_iops;
		break;
	}
	spin_lock(&tsb->lock);
	list_add_tail(&ti->sb_node, &tsb->inodes);
	spin_unlock(&tsb->lock);
	return inode;
}

static void tmpfs_evict(struct inode *inode)
{
	struct tmpfs_sb *tsb = TSB(inode->i_sb);
	struct tmpfs_inode *ti = TI(inode);
	struct tmpfs_dirent *e, *tmp;

	if (S_ISREG(inode->i_mode))
		tmpfs_free_data(inode);
	/* A directory is empty by now (rmdir, or umount emptied it). */
	list_for_each_entry_safe(e, tmp, &ti->entries, node) {
		list_del(&e->node);
		iput(e->inode);
		kfree(e);
	}
	kfree(ti->target);
	spin_lock(&tsb->lock);
	list_del(&ti->sb_node);
	spin_unlock(&tsb->lock);
	kfree(ti);
}

static struct tmpfs_dirent *dir_find(struct inode *dir, const char *name, size_t len)
{
	struct tmpfs_dirent *e;

	list_for_each_entry(e, &TI(dir)->entries, node)
		if (e->len == len && !memcmp(e->name, name, len))
			return e;
	return NULL;
}

static struct tmpfs_dirent *dirent_new(const char *name, size_t len, struct inode *inode)
{
	struct tmpfs_dirent *e = kmalloc(sizeof(*e) + len + 1, GFP_KERNEL);

	if (!e)
		return NULL;
	e->inode = inode;
	e->len = (u32)len;
	memcpy(e->name, name, len);
	e->name[len] = 0;
	return e;
}

/* Link e (holding its inode) at the end of dir. */
static void dir_add(struct inode *dir, struct tmpfs_dirent *e)
{
	e->pos = TI(dir)->next_pos++;
	list_add_tail(&e->node, &TI(dir)->entries);
	dir->i_mtime = dir->i_ctime = vfs_now();
}

static void dir_remove(struct inode *dir, struct tmpfs_dirent *e)
{
	list_del(&e->node);
	dir->i_mtime = dir->i_ctime = vfs_now();
	iput(e->inode);
	kfree(e);
}

static int tmpfs_lookup(struct inode *dir, const char *name, size_t len,
			struct inode **out)
{
	struct tmpfs_dirent *e = dir_find(dir, name, len);

	if (!e)
		return -ENOENT;
	ihold(e->inode);
	*out = e->inode;
	return 0;
}

/* Make an inode and its entry in dir; the caller gets a reference. */
static int tmpfs_create(struct inode *dir, const char *name, size_t len, u32 mode,
			dev_t rdev, u32 uid, u32 gid, struct inode **out)
{
	struct tmpfs_dirent *e;
	struct inode *inode;

	/* A set-group-ID directory passes its group on (and the bit, to
	 * subdirectories), as on Linux. */
	if (dir->i_mode & S_ISGID) {
		gid = dir->i_gid;
		if (S_ISDIR(mode))
			mode |= S_ISGID;
	}
	inode = tmpfs_new_inode(dir->i_sb, mode, rdev, uid, gid);
	if (IS_ERR(inode))
		return (int)PTR_ERR(inode);
	e = dirent_new(name, len, inode);
	if (!e) {
		inode->i_nlink = 0;
		iput(inode);
		return -ENOMEM;
	}
	ihold(inode);
	dir_add(dir, e);
	if (S_ISDIR(mode)) {
		dir->i_nlink++;
		TI(inode)->parent_ino = dir->i_ino;
	}
	*out = inode;
	return 0;
}

static int tmpfs_mknod(struct inode *dir, const char *name, size_t len, u32 mode,
		       dev_t rdev, u32 uid, u32 gid, struct inode **out)
{
	return tmpfs_create(dir, name, len, mode, rdev, uid, gid, out);
}

static int tmpfs_mkdir(struct inode *dir, const char *name, size_t len, u32 mode,
		       u32 uid, u32 gid, struct inode **out)
{
	return tmpfs_create(dir, name, len, S_IFDIR | mode, 0, uid, gid, out);
}

static int tmpfs_symlink(struct inode *dir, const char *name, size_t len,
			 const char *target, u32 uid, u32 gid, struct inode **out)
{
	size_t tlen = strlen(target);
	char *copy = kmalloc(tlen + 1, GFP_KERNEL);
	int err;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, target, tlen + 1);
	err = tmpfs_create(dir, name, len, S_IFLNK | 0777, 0, uid, gid, out);
	if (err) {
		kfree(copy);
		return err;
	}
	TI(*out)->target = copy;
	(*out)->i_size = tlen;
	return 0;
}

static int tmpfs_link(struct inode *old, struct inode *dir, const char *name,
		      size_t len)
{
	struct tmpfs_dirent *e = dirent_new(name, len, old);

	if (!e)
		return -ENOMEM;
	ihold(old);
	old->i_nlink++;
	old->i_ctime = vfs_now();
	dir_add(dir, e);
	return 0;
}

static int tmpfs_unlink(struct inode *dir, const char *name, size_t len,
			struct inode *victim)
{
	struct tmpfs_dirent *e = dir_find(dir, name, len);

	if (!e || e->inode != victim)
		return -ENOENT;
	victim->i_nlink--;
	victim->i_ctime = vfs_now();
	dir_remove(dir, e);
	return 0;
}

static int tmpfs_rmdir(struct inode *dir, const char *name, size_t len,
		       struct inode *victim)
{
	struct tmpfs_dirent *e = dir_find(dir, name, len);

	if (!e || e->inode != victim)
		return -ENOENT;
	if (!list_empty(&TI(victim)->entries))
		return -ENOTEMPTY;
	victim->i_nlink = 0;
	victim->i_ctime = vfs_now();
	dir->i_nlink--;
	dir_remove(dir, e);
	return 0;
}

static int tmpfs_rename(struct inode *old_dir, const char *old_name, size_t old_len,
			struct inode *src, struct inode *new_dir,
			const char *new_name, size_t new_len, struct inode *target)
{
	struct tmpfs_dirent *e = dir_find(old_dir, old_name, old_len), *te = NULL, *ne;
	bool is_dir = S_ISDIR(src->i_mode);

	if (!e || e->inode != src)
		return -ENOENT;
	if (target) {
		te = dir_find(new_dir, new_name, new_len);
		if (!te || te->inode != target)
			return -ENOENT;
		if (S_ISDIR(target->i_mode) && !list_empty(&TI(target)->entries))
			return -ENOTEMPTY;
	}
	/* Allocate before changing anything, so failure changes nothing. */
	ne = dirent_new(new_name, new_len, src);
	if (!ne)
		return -ENOMEM;
	if (te) {
		if (S_ISDIR(target->i_mode)) {
			target->i_nlink = 0;
			new_dir->i_nlink--;
		} else {
			target->i_nlink--;
		}
		target->i_ctime = vfs_now();
		dir_remove(new_dir, te);
	}
	ihold(src);
	dir_add(new_dir, ne);
	dir_remove(old_dir, e);
	if (is_dir && old_dir != new_dir) {
		old_dir->i_nlink--;
		new_dir->i_nlink++;
		TI(src)->parent_ino = new_dir->i_ino;
	}
	src->i_ctime = vfs_now();
	return 0;
}

static int tmpfs_readlink(struct inode *inode, char *buf, size_t size)
{
	size_t n = inode->i_size < size ? (size_t)inode->i_size : size;

	memcpy(buf, TI(inode)->target, n);
	return (int)n;
}

int tmpfs_setattr(struct inode *inode, const struct vfs_attr *attr)
{
	int err;

	if (attr->valid & ATTR_SIZE) {
		if (!S_ISREG(inode->i_mode))
			return -EINVAL;
		err = tmpfs_truncate(inode, attr->size);
		if (err)
			return err;
	}
	if (attr->valid & ATTR_MODE)
		inode->i_mode = (inode->i_mode & S_IFMT) | (attr->mode & 07777);
	if (attr->valid & ATTR_UID)
		inode->i_uid = attr->uid;
	if (attr->valid & ATTR_GID)
		inode->i_gid = attr->gid;
	if (attr->valid & ATTR_ATIME)
		inode->i_atime = attr->atime;
	if (attr->valid & ATTR_MTIME)
		inode->i_mtime = attr->mtime;
	if (attr->valid & ATTR_CTIME)
		inode->i_ctime = attr->ctime;
	return 0;
}

static int tmpfs_readdir(struct file *f, struct dir_context *ctx)
{
	struct inode *dir = f->f_inode;
	struct tmpfs_dirent *e;

	/* i_mutex is held by vfs_getdents. */
	if (ctx->pos == 0) {
		if (!ctx->emit(ctx, ".", 1, dir->i_ino, VFS_DTYPE(S_IFDIR), 1))
			return 0;
	}
	if (ctx->pos == 1) {
		if (!ctx->emit(ctx, "..", 2, TI(dir)->parent_ino, VFS_DTYPE(S_IFDIR), 2))
			return 0;
	}
	list_for_each_entry(e, &TI(dir)->entries, node) {
		if (e->pos < ctx->pos)
			continue;
		if (!ctx->emit(ctx, e->name, e->len, e->inode->i_ino,
			       VFS_DTYPE(e->inode->i_mode), e->pos + 1))
			return 0;
	}
	return 0;
}

static s64 tmpfs_dir_llseek(struct file *f, s64 off, int whence)
{
	/* Directory offsets are cookies: only absolute seeks make sense. */
	if (whence == 0 /* SEEK_SET */ && off >= 0)
		return off;
	if (whence == 1 /* SEEK_CUR */ && off == 0)
		return (s64)f->f_pos;
	return -EINVAL;
}

static const struct inode_operations tmpfs_dir_iops = {
	.lookup = tmpfs_lookup,
	.mknod = tmpfs_mknod,
	.mkdir = tmpfs_mkdir,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = tmpfs_rename,
	.setattr = tmpfs_setattr,
};

static const struct file_operations tmpfs_dir_fops = {
	.readdir = tmpfs_readdir,
	.llseek = tmpfs_dir_llseek,
};

static const struct inode_operations tmpfs_symlink_iops = {
	.readlink = tmpfs_readlink,
	.setattr = tmpfs_setattr,
};

static const struct inode_operations tmpfs_special_iops = {
	.setattr = tmpfs_setattr,
};

/* Umount: drop every entry's reference, then the root's. Entries are
 * moved off their directories first, so no eviction below recurses. */
static void tmpfs_put_super(struct super_block *sb)
{
	struct tmpfs_sb *tsb = TSB(sb);
	struct list_node all = LIST_INIT(all);
	struct tmpfs_dirent *e, *tmp;
	struct tmpfs_inode *ti;

	spin_lock(&tsb->lock);
	list_for_each_entry(ti, &tsb->inodes, sb_node) {
		list_for_each_entry_safe(e, tmp, &ti->entries, node) {
			list_del(&e->node);
			list_add_tail(&e->node, &all);
		}
	}
	spin_unlock(&tsb->lock);
	list_for_each_entry_safe(e, tmp, &all, node) {
		list_del(&e->node);
		iput(e->inode);
		kfree(e);
	}
	iput(tsb->root);
	if (tsb->used_pages)
		pr_err("tmpfs: %lu pages still counted at umount\n",
		       (unsigned long)tsb->used_pages);
	kfree(tsb);
}

static int tmpfs_statfs(struct super_block *sb, struct statfs *st)
{
	struct tmpfs_sb *tsb = TSB(sb);

	spin_lock(&tsb->lock);
	st->f_blocks = tsb->max_pages;
	st->f_bfree = st->f_bavail = tsb->max_pages - tsb->used_pages;
	spin_unlock(&tsb->lock);
	st->f_bsize = st->f_frsize = PAGE_SIZE;
	return 0;
}

static const struct super_operations tmpfs_sops = {
	.evict_inode = tmpfs_evict,
	.put_super = tmpfs_put_super,
	.statfs = tmpfs_statfs,
};

/* Digits of s in base: the value in *out, the first non-digit returned. */
static const char *parse_num(const char *s, unsigned base, u64 *out)
{
	u64 v = 0;

	for (; *s >= '0' && *s < (char)('0' + base) && *s <= '9'; s++)
		v = v * base + (u64)(*s - '0');
	*out = v;
	return s;
}

/* "size=N[k|m|g]" or "size=N%" of RAM; "mode=OCTAL" for the root. */
static int tmpfs_parse(const char *data, u64 *pages, u32 *mode)
{
	char opt[64];
	const char *p = data;

	while (p && *p) {
		size_t n = 0;
		const char *end;
		u64 v;

		while (p[n] && p[n] != ',')
			n++;
		if (n >= sizeof(opt))
			return -EINVAL;
		memcpy(opt, p, n);
		opt[n] = 0;
		p += n + (p[n] == ',');
		if (!strncmp(opt, "size=", 5)) {
			end = parse_num(opt + 5, 10, &v);
			if (end == opt + 5)
				return -EINVAL;
			switch (*end) {
			case '%':
				v = pmm_total_count() * v / 100;
				break;
			case 'g': case 'G':
				v <<= 10;
				/* fallthrough */
			case 'm': case 'M':
				v <<= 10;
				/* fallthrough */
			case 'k': case 'K':
				v <<= 10;
				/* fallthrough */
			case 0:
				v = (v + PAGE_SIZE - 1) / PAGE_SIZE;
				break;
			default:
				return -EINVAL;
			}
			*pages = v;
		} else if (!strncmp(opt, "mode=", 5)) {
			parse_num(opt + 5, 8, &v);
			*mode = (u32)v & 07777;
		}
		/* Other options (uid=, nr_inodes=...) are accepted and ignored. */
	}
	return 0;
}

int tmpfs_fill_super(struct super_block *sb, struct block_device *bdev,
		     const char *data, u32 flags)
{
	struct tmpfs_sb *tsb = kzalloc(sizeof(*tsb), GFP_KERNEL);
	struct inode *root;
	u32 mode = 01777;
	int err;

	if (!tsb)
		return -ENOMEM;
	tsb->lock = (struct spinlock)SPINLOCK_INIT("tmpfs");
	tsb->max_pages = pmm_total_count() / 2;       /* Linux's default */
	tsb->next_ino = 1;
	list_init(&tsb->inodes);
	err = tmpfs_parse(data, &tsb->max_pages, &mode);
	if (err) {
		kfree(tsb);
		return err;
	}
	sb->s_fs_info = tsb;
	sb->s_op = &tmpfs_sops;
	sb->s_magic = TMPFS_MAGIC;
	sb->s_blocksize = PAGE_SIZE;
	sb->s_maxbytes = (KMALLOC_MAX_SIZE / sizeof(u8 *)) * (u64)PAGE_SIZE;
	root = tmpfs_new_inode(sb, S_IFDIR | mode, 0, 0, 0);
	if (IS_ERR(root)) {
		kfree(tsb);
		return (int)PTR_ERR(root);
	}
	tsb->root = root;
	TI(root)->parent_ino = root->i_ino;
	ihold(root);
	sb->s_root = d_make_root(root);
	if (!sb->s_root) {
		iput(root);
		kfree(tsb);
		return -ENOMEM;
	}
	return 0;
}

static struct file_system_type tmpfs_type = {
	.name = "tmpfs",
	.fill_super = tmpfs_fill_super,
};

int tmpfs_init(void)
{
	return vfs_register_fs(&tmpfs_type);
}
