/*
 * pseudofs: generated directories, files and symlinks on the VFS (see
 * pseudofs.h).
 *
 * Each inode carries a kmalloc'd copy of its node in i_private and gets a
 * fresh number from its super block's counter; the dentry cache keeps the
 * inodes of names in use, and eviction frees the copy. A directory's
 * readdir positions are entry indexes (0 and 1 are "." and ".."), so a
 * listing that changes between getdents calls may skip or repeat an
 * entry, as Linux's sysfs and procfs may, but never loops.
 */
#include "fs/pseudofs/pseudofs.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"

struct pfs_sb {
	const struct pfs_fs *fs;
	u64 next_ino;                   /* atomic */
	struct vfs_time mtime;          /* when mounted: every inode's times */
};

struct pfs_lister {
	/* Lookup: the name wanted and where its node goes. */
	const char *want;
	size_t want_len;
	struct pfs_node *found;
	bool hit;
	/* readdir: the caller's context and the index of the next entry. */
	struct dir_context *ctx;
	u64 index;
	u64 dir_ino;
};

static const struct inode_operations pfs_dir_iops;
static const struct inode_operations pfs_link_iops;
static const struct inode_operations pfs_file_iops;
static const struct file_operations pfs_dir_fops;
static const struct file_operations pfs_file_fops;

static const struct pfs_node *pfs_node_of(const struct inode *inode)
{
	return inode->i_private;
}

/* A name's readdir inode number: any stable non-zero value will do. */
static u64 pfs_name_ino(u64 dir_ino, const char *name, size_t len)
{
	u64 h = 14695981039346656037ull ^ dir_ino;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (u8)name[i]) * 1099511628211ull;
	return h ? h : 1;
}

bool pfs_emit(struct pfs_lister *l, const char *name, const struct pfs_node *n)
{
	size_t len = strlen(name);
	u64 idx = l->index++;

	if (l->want) {
		if (len != l->want_len || memcmp(name, l->want, len))
			return true;
		*l->found = *n;
		l->hit = true;
		return false;
	}
	/* Positions 0 and 1 are "." and ".."; entry idx sits at idx + 2. */
	if (idx + 2 < l->ctx->pos)
		return true;
	return l->ctx->emit(l->ctx, name, len, pfs_name_ino(l->dir_ino, name, len),
			    VFS_DTYPE(n->mode), idx + 3);
}

static struct inode *pfs_new_inode(struct super_block *sb, const struct pfs_node *n)
{
	struct pfs_sb *ps = sb->s_fs_info;
	struct pfs_node *copy = kmalloc(sizeof(*copy), GFP_KERNEL);
	struct inode *inode;

	if (!copy)
		return ERR_PTR(-ENOMEM);
	*copy = *n;
	inode = new_inode(sb, __atomic_add_fetch(&ps->next_ino, 1, __ATOMIC_RELAXED));
	if (IS_ERR(inode)) {
		kfree(copy);
		return inode;
	}
	inode->i_mode = n->mode;
	inode->i_nlink = S_ISDIR(n->mode) ? 2 : 1;
	inode->i_size = S_ISREG(n->mode) ? ps->fs->file_size : 0;
	inode->i_atime = inode->i_mtime = inode->i_ctime = ps->mtime;
	inode->i_private = copy;
	if (S_ISDIR(n->mode)) {
		inode->i_op = &pfs_dir_iops;
		inode->i_fop = &pfs_dir_fops;
	} else if (S_ISLNK(n->mode)) {
		inode->i_op = &pfs_link_iops;
	} else {
		inode->i_op = &pfs_file_iops;
		inode->i_fop = &pfs_file_fops;
	}
	return inode;
}

static int pfs_lookup(struct inode *dir, const char *name, size_t len,
		      struct inode **out)
{
	const struct pfs_node *dn = pfs_node_of(dir);
	struct pfs_node child;
	struct pfs_lister l = { .want = name, .want_len = len, .found = &child };
	struct inode *inode;
	int err;

	err = dn->ops->list(dn, &l);
	if (err)
		return err;
	if (!l.hit)
		return -ENOENT;
	inode = pfs_new_inode(dir->i_sb, &child);
	if (IS_ERR(inode))
		return (int)PTR_ERR(inode);
	*out = inode;
	return 0;
}

static bool pfs_same_node(const struct pfs_node *a, const struct pfs_node *b)
{
	return a->ops == b->ops && a->mode == b->mode && a->obj == b->obj &&
	       a->obj2 == b->obj2 && a->num == b->num &&
	       !strncmp(a->key, b->key, sizeof(a->key));
}

/*
 * A cached name is right only while its directory would still list it as
 * the same node: a device unbound, a process gone (or a pid reused for
 * another kind of entry) drops it. Negative entries are never kept, since
 * any name may appear with the next device or process.
 */
static bool pfs_d_revalidate(struct dentry *d)
{
	struct inode *inode = READ_ONCE(d->d_inode);
	struct pfs_node found;
	struct pfs_lister l = { .want = d->d_name, .want_len = d->d_len, .found = &found };
	const struct pfs_node *dn;
	int err;

	if (!inode)
		return false;
	/* Nothing is renamed here: d's name and parent (which d holds) are
	 * fixed for its life. */
	dn = pfs_node_of(d->d_parent->d_inode);
	err = dn->ops->list(dn, &l);
	/* Out of memory decides nothing: the entry's own calls still check
	 * that its object exists. */
	if (err == -ENOMEM)
		return true;
	return !err && l.hit && pfs_same_node(&found, pfs_node_of(inode));
}

static int pfs_readdir(struct file *f, struct dir_context *ctx)
{
	struct inode *dir = f->f_inode;
	const struct pfs_node *dn = pfs_node_of(dir);
	struct pfs_lister l = { .ctx = ctx, .dir_ino = dir->i_ino };

	if (ctx->pos == 0 && !ctx->emit(ctx, ".", 1, dir->i_ino, VFS_DTYPE(S_IFDIR), 1))
		return 0;
	/* ".." is resolved by the VFS; its number here is only a hint. */
	if (ctx->pos == 1 && !ctx->emit(ctx, "..", 2, dir->i_ino, VFS_DTYPE(S_IFDIR), 2))
		return 0;
	return dn->ops->list(dn, &l);
}

static int pfs_readlink(struct inode *inode, char *buf, size_t size)
{
	const struct pfs_node *n = pfs_node_of(inode);
	struct pfs_buf b;
	int err;

	pfs_buf_init(&b);
	err = n->ops->show(n, &b);
	if (!err)
		err = b.err;
	if (!err) {
		err = (int)(b.len < size ? b.len : size);
		memcpy(buf, b.data, (size_t)err);
	}
	pfs_buf_free(&b);
	return err;
}

/* Opening generates the snapshot every read of this open file serves. */
static int pfs_open(struct inode *inode, struct file *f)
{
	const struct pfs_node *n = pfs_node_of(inode);
	struct pfs_buf *b;
	int err;

	if ((f->f_mode & FMODE_WRITE) && !n->ops->store)
		return -EACCES;
	if (!(f->f_mode & FMODE_READ))
		return 0;
	if (!n->ops->show)
		return -EACCES;
	b = kmalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	pfs_buf_init(b);
	err = n->ops->show(n, b);
	if (!err)
		err = b->err;
	if (err) {
		pfs_buf_free(b);
		kfree(b);
		return err;
	}
	f->private_data = b;
	return 0;
}

static void pfs_release(struct inode *inode, struct file *f)
{
	struct pfs_buf *b = f->private_data;

	(void)inode;
	if (b) {
		pfs_buf_free(b);
		kfree(b);
	}
}

static ssize_t pfs_file_read(struct file *f, struct vfs_buf buf, size_t len, u64 *pos)
{
	struct pfs_buf *b = f->private_data;
	size_t n;
	int err;

	if (!b)
		return -EBADF;
	if (*pos >= b->len)
		return 0;
	n = b->len - *pos < len ? b->len - *pos : len;
	err = vfs_buf_to(buf, 0, b->data + *pos, n);
	if (err)
		return err;
	*pos += n;
	return (ssize_t)n;
}

static ssize_t pfs_file_write(struct file *f, struct vfs_buf buf, size_t len, u64 *pos)
{
	const struct pfs_node *n = pfs_node_of(f->f_inode);
	char *kbuf;
	ssize_t ret;
	int err;

	if (len > PFS_STORE_MAX)
		return -EINVAL;
	kbuf = kmalloc(len + 1, GFP_KERNEL);
	if (!kbuf)
		return -ENOMEM;
	err = vfs_buf_from(kbuf, buf, 0, len);
	if (err) {
		kfree(kbuf);
		return err;
	}
	kbuf[len] = 0;
	ret = n->ops->store(n, kbuf, len);
	kfree(kbuf);
	if (ret > 0)
		*pos += (u64)ret;
	return ret;
}

/*
 * open(O_TRUNC), as a shell's `echo vdb > unbind` does: truncating a
 * writable file is accepted and changes nothing (a write replaces the
 * value whole), as on Linux's sysfs. Nothing else about a generated file
 * can be changed.
 */
static int pfs_setattr(struct inode *inode, const struct vfs_attr *attr)
{
	const struct pfs_node *n = pfs_node_of(inode);

	if ((attr->valid & ~(ATTR_SIZE | ATTR_MTIME | ATTR_CTIME)) ||
	    !(attr->valid & ATTR_SIZE) || !n->ops->store)
		return -EPERM;
	return 0;
}

static void pfs_evict(struct inode *inode)
{
	kfree(inode->i_private);
	inode->i_private = NULL;
}

static void pfs_put_super(struct super_block *sb)
{
	kfree(sb->s_fs_info);
	sb->s_fs_info = NULL;
}

static int pfs_statfs(struct super_block *sb, struct statfs *st)
{
	memset(st, 0, sizeof(*st));
	st->f_type = (long)sb->s_magic;
	st->f_bsize = 4096;
	st->f_namelen = NAME_MAX;
	return 0;
}

static const struct inode_operations pfs_dir_iops = {
	.lookup = pfs_lookup,
};

static const struct inode_operations pfs_file_iops = {
	.setattr = pfs_setattr,
};

static const struct inode_operations pfs_link_iops = {
	.readlink = pfs_readlink,
};

static const struct file_operations pfs_dir_fops = {
	.readdir = pfs_readdir,
};

static const struct file_operations pfs_file_fops = {
	.open = pfs_open,
	.release = pfs_release,
	.read = pfs_file_read,
	.write = pfs_file_write,
};

static const struct super_operations pfs_sops = {
	.evict_inode = pfs_evict,
	.put_super = pfs_put_super,
	.statfs = pfs_statfs,
	.d_revalidate = pfs_d_revalidate,
};

int pfs_fill_super(struct super_block *sb, const struct pfs_fs *fs)
{
	struct pfs_sb *ps = kzalloc(sizeof(*ps), GFP_KERNEL);
	struct inode *root;

	if (!ps)
		return -ENOMEM;
	ps->fs = fs;
	ps->mtime = vfs_now();
	sb->s_fs_info = ps;
	sb->s_op = &pfs_sops;
	sb->s_magic = fs->magic;
	sb->s_blocksize = 4096;
	sb->s_maxbytes = PFS_BUF_MAX;
	root = pfs_new_inode(sb, fs->root);
	if (IS_ERR(root))
		goto out_free;
	sb->s_root = d_make_root(root);
	if (!sb->s_root)
		goto out_free;
	return 0;
out_free:
	/* The VFS frees sb; what we hung on it is ours. */
	sb->s_fs_info = NULL;
	kfree(ps);
	return -ENOMEM;
}
