/*
 * In-memory inodes: the cache keyed by (super block, inode number),
 * reference counting, eviction, and the mode-bit permission check.
 *
 * icache_lock (a spinlock) protects the hash chains, each sb->s_inodes
 * list, i_state, and the 1 -> 0 transition of i_count (so iget can never
 * pick up an inode that is being evicted). Other reference changes are
 * plain atomics. An inode is read in by the first iget with I_NEW set and
 * its i_mutex held; later callers for the same number wait on that mutex.
 * Unused inodes are not kept: the dentry cache holds the inodes worth
 * keeping, and the last iput evicts.
 */
#include "vfs/internal.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/err.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/time/clock.h"

#define IHASH_BITS 12
#define IHASH_SIZE (1u << IHASH_BITS)

static struct spinlock icache_lock = SPINLOCK_INIT("icache");
static struct list_node ihash[IHASH_SIZE];
static struct kmem_cache *inode_cache;

/* Pipes and sockets live on this super block; it is never mounted. */
static struct super_block anon_sb;
static atomic_t anon_ino = ATOMIC_INIT(0);

struct vfs_time vfs_now(void)
{
	u64 ns = ktime_get_real();

	return (struct vfs_time){ .sec = (s64)(ns / 1000000000u),
				  .nsec = (u32)(ns % 1000000000u) };
}

void inode_cache_init(void)
{
	for (u32 i = 0; i < IHASH_SIZE; i++)
		list_init(&ihash[i]);
	inode_cache = kmem_cache_create("inode", sizeof(struct inode), 8);
	list_init(&anon_sb.s_inodes);
	anon_sb.s_dev = vfs_anon_dev();
	anon_sb.s_blocksize = 4096;
}

static struct list_node *ihash_bucket(struct super_block *sb, u64 ino)
{
	u64 h = ((uintptr_t)sb >> 6) ^ ino * 0x9e3779b97f4a7c15ull;

	return &ihash[(h >> 32) & (IHASH_SIZE - 1)];
}

static struct inode *inode_alloc(struct super_block *sb, u64 ino)
{
	struct inode *i;

	if (!inode_cache)
		return NULL;
	i = kmem_cache_alloc(inode_cache, GFP_KERNEL);
	if (!i)
		return NULL;
	memset(i, 0, sizeof(*i));
	i->i_ino = ino;
	i->i_sb = sb;
	mutex_init(&i->i_mutex, "i_mutex");
	atomic_set(&i->i_count, 1);
	list_init(&i->i_hash_node);
	list_init(&i->i_sb_node);
	return i;
}

/* Caller holds icache_lock. */
static struct inode *ihash_find(struct super_block *sb, u64 ino)
{
	struct inode *i;

	list_for_each_entry(i, ihash_bucket(sb, ino), i_hash_node)
		if (i->i_sb == sb && i->i_ino == ino)
			return i;
	return NULL;
}

static void ihash_insert(struct inode *i)
{
	list_add(&i->i_hash_node, ihash_bucket(i->i_sb, i->i_ino));
	list_add_tail(&i->i_sb_node, &i->i_sb->s_inodes);
}

/* A cached inode found by iget: wait for its read, then check it. */
static struct inode *iget_wait(struct inode *i)
{
	if (READ_ONCE(i->i_state) & I_NEW) {
		mutex_lock(&i->i_mutex);
		mutex_unlock(&i->i_mutex);
	}
	if (READ_ONCE(i->i_state) & I_BAD) {
		iput(i);
		return ERR_PTR(-EIO);
	}
	return i;
}

struct inode *iget(struct super_block *sb, u64 ino)
{
	struct inode *i, *fresh;
	int err;

	spin_lock(&icache_lock);
	i = ihash_find(sb, ino);
	if (i)
		atomic_inc(&i->i_count);
	spin_unlock(&icache_lock);
	if (i)
		return iget_wait(i);

	fresh = inode_alloc(sb, ino);
	if (!fresh)
		return ERR_PTR(-ENOMEM);
	/* Nobody else can see fresh yet: the trylock cannot fail. */
	mutex_trylock(&fresh->i_mutex);
	fresh->i_state = I_NEW;
	spin_lock(&icache_lock);
	i = ihash_find(sb, ino);
	if (i) {
		atomic_inc(&i->i_count);
		spin_unlock(&icache_lock);
		mutex_unlock(&fresh->i_mutex);
		kmem_cache_free(inode_cache, fresh);
		return iget_wait(i);
	}
	ihash_insert(fresh);
	spin_unlock(&icache_lock);

	err = sb->s_op->read_inode(fresh);
	spin_lock(&icache_lock);
	fresh->i_state = err ? I_BAD : 0;
	spin_unlock(&icache_lock);
	mutex_unlock(&fresh->i_mutex);
	if (err) {
		iput(fresh);
		return ERR_PTR(err);
	}
	return fresh;
}

struct inode *new_inode(struct super_block *sb, u64 ino)
{
	struct inode *i = inode_alloc(sb, ino);

	if (!i)
		return ERR_PTR(-ENOMEM);
	spin_lock(&icache_lock);
	if (ihash_find(sb, ino)) {
		spin_unlock(&icache_lock);
		kmem_cache_free(inode_cache, i);
		pr_err("vfs: %s: new inode %lu is already in use\n",
		       sb->s_type ? sb->s_type->name : "?", (unsigned long)ino);
		return ERR_PTR(-EEXIST);
	}
	ihash_insert(i);
	spin_unlock(&icache_lock);
	return i;
}

void ihold(struct inode *inode)
{
	atomic_inc(&inode->i_count);
}

void iput(struct inode *inode)
{
	long c;

	if (!inode)
		return;
	/* Fast path: not the last reference. */
	for (c = atomic_read(&inode->i_count); c > 1;
	     c = atomic_read(&inode->i_count))
		if (atomic_cmpxchg(&inode->i_count, c, c - 1) == c)
			return;
	spin_lock(&icache_lock);
	if (!atomic_dec_and_test(&inode->i_count)) {
		spin_unlock(&icache_lock);
		return;
	}
	list_del(&inode->i_hash_node);
	list_del(&inode->i_sb_node);
	spin_unlock(&icache_lock);
	if (!(inode->i_state & I_BAD) && inode->i_sb->s_op &&
	    inode->i_sb->s_op->evict_inode)
		inode->i_sb->s_op->evict_inode(inode);
	kmem_cache_free(inode_cache, inode);
}

bool inode_is_sb_empty(struct super_block *sb)
{
	bool empty;

	spin_lock(&icache_lock);
	empty = list_empty(&sb->s_inodes);
	spin_unlock(&icache_lock);
	return empty;
}

struct inode *vfs_anon_inode(u32 mode, const struct file_operations *fops)
{
	struct inode *i = inode_alloc(&anon_sb, (u64)atomic_add_return(&anon_ino, 1));

	if (!i)
		return NULL;
	i->i_mode = mode;
	i->i_nlink = 1;
	i->i_fop = fops;
	i->i_atime = i->i_mtime = i->i_ctime = vfs_now();
	return i;
}

static bool in_group(const struct vfs_ctx *ctx, u32 gid)
{
	if (ctx->fsgid == gid)
		return true;
	for (u32 n = 0; n < ctx->ngroups; n++)
		if (ctx->groups[n] == gid)
			return true;
	return false;
}

int inode_permission(const struct vfs_ctx *ctx, struct inode *inode, int mask)
{
	u32 mode = inode->i_mode, bits;

	if ((mask & MAY_WRITE) && (inode->i_sb->s_flags & SB_RDONLY) &&
	    (S_ISREG(mode) || S_ISDIR(mode) || S_ISLNK(mode)))
		return -EROFS;
	if (ctx->fsuid == 0) {
		/* Root reads and writes anything, searches any directory,
		 * but executes a file only if some x bit is set. */
		if (!(mask & MAY_EXEC) || S_ISDIR(mode) || (mode & 0111))
			return 0;
		return -EACCES;
	}
	if (ctx->fsuid == inode->i_uid)
		bits = mode >> 6;
	else if (in_group(ctx, inode->i_gid))
		bits = mode >> 3;
	else
		bits = mode;
	return (mask & ~(int)(bits & 7)) ? -EACCES : 0;
}
