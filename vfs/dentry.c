/*
 * The dentry cache: (parent, name) -> dentry, positive or negative.
 *
 * One spinlock, dcache_lock, protects the hash chains, the LRU of unused
 * entries, every d_count, d_flags, d_parent and d_name. It is held only
 * for list and counter updates, never across a file system call or a
 * sleep, so it is not a big VFS lock: lookups that miss, and every
 * directory change, serialise on the directory's i_mutex instead.
 *
 * Lifetime: a dentry holds its parent and its inode. When its count drops
 * to 0 a hashed dentry stays cached on the LRU (so the next lookup of the
 * same name costs no file system call); beyond DCACHE_UNUSED_MAX unused
 * entries the oldest are freed. A dropped (unhashed) dentry is freed as
 * soon as its last holder lets go. A positive dentry never turns negative:
 * unlink and rename-over drop it instead, so holders (open files, working
 * directories) keep a valid inode.
 */
#include "vfs/internal.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"

#define DHASH_BITS 12
#define DHASH_SIZE (1u << DHASH_BITS)
#define DCACHE_UNUSED_MAX 16384
#define DCACHE_PRUNE_BATCH 64

#define DCACHE_HASHED  0x1      /* findable by d_lookup */
#define DCACHE_DROPPED 0x2      /* d_drop'ed: deleted or renamed over */

static struct spinlock dcache_lock = SPINLOCK_INIT("dcache");
static struct list_node *dhash;
static struct list_node dcache_lru = LIST_INIT(dcache_lru);
static u32 nr_unused;
static struct kmem_cache *dentry_cache;

int dcache_init(void)
{
	dentry_cache = kmem_cache_create("dentry", sizeof(struct dentry), 8);
	dhash = kmalloc(DHASH_SIZE * sizeof(*dhash), GFP_KERNEL);
	if (!dentry_cache || !dhash)
		return -ENOMEM;
	for (u32 i = 0; i < DHASH_SIZE; i++)
		list_init(&dhash[i]);
	return 0;
}

static u32 d_hash_name(const struct dentry *parent, const char *name, size_t len)
{
	u32 h = 2166136261u ^ (u32)((uintptr_t)parent >> 4);

	for (size_t i = 0; i < len; i++)
		h = (h ^ (u8)name[i]) * 16777619u;
	return h;
}

static struct list_node *d_bucket(u32 hash)
{
	return &dhash[(hash ^ (hash >> DHASH_BITS)) & (DHASH_SIZE - 1)];
}

static struct dentry *d_new(const char *name, size_t len)
{
	struct dentry *d = kmem_cache_alloc(dentry_cache, GFP_KERNEL);
	char *n;

	if (!d)
		return NULL;
	memset(d, 0, sizeof(*d));
	if (len < DNAME_INLINE_LEN) {
		n = d->d_iname;
	} else {
		n = kmalloc(len + 1, GFP_KERNEL);
		if (!n) {
			kmem_cache_free(dentry_cache, d);
			return NULL;
		}
	}
	memcpy(n, name, len);
	n[len] = 0;
	d->d_name = n;
	d->d_len = (u32)len;
	d->d_count = 1;
	list_init(&d->d_hash_node);
	list_init(&d->d_lru);
	return d;
}

static void d_free_name(struct dentry *d, const char *name)
{
	if (name != d->d_iname)
		kfree(name);
}

struct dentry *d_make_root(struct inode *root)
{
	struct dentry *d = d_new("/", 1);

	if (!d) {
		iput(root);
		return NULL;
	}
	d->d_parent = d;
	d->d_inode = root;
	d->d_sb = root->i_sb;
	return d;
}

struct dentry *d_alloc(struct dentry *parent, const char *name, size_t len)
{
	struct dentry *d = d_new(name, len);

	if (!d)
		return NULL;
	d->d_parent = dget(parent);
	d->d_sb = parent->d_sb;
	d->d_hash = d_hash_name(parent, name, len);
	return d;
}

struct dentry *dget(struct dentry *d)
{
	spin_lock(&dcache_lock);
	if (d->d_count++ == 0) {
		list_del(&d->d_lru);
		nr_unused--;
	}
	spin_unlock(&dcache_lock);
	return d;
}

/* Free an unreferenced, unhashed dentry: returns its parent, whose
 * reference the caller must drop (NULL for a root). */
static struct dentry *d_free(struct dentry *d)
{
	struct dentry *parent = d->d_parent == d ? NULL : d->d_parent;

	if (d->d_inode)
		iput(d->d_inode);
	d_free_name(d, d->d_name);
	kmem_cache_free(dentry_cache, d);
	return parent;
}

static u32 d_prune_some(u32 max, struct super_block *sb);

void dput(struct dentry *d)
{
	bool over;

	while (d) {
		spin_lock(&dcache_lock);
		if (d->d_count == 0) {
			spin_unlock(&dcache_lock);
			pr_err("dcache: dput of unused dentry \"%s\"\n", d->d_name);
			return;
		}
		if (--d->d_count) {
			spin_unlock(&dcache_lock);
			return;
		}
		if (d->d_flags & DCACHE_HASHED) {
			list_add_tail(&d->d_lru, &dcache_lru);
			over = ++nr_unused > DCACHE_UNUSED_MAX;
			spin_unlock(&dcache_lock);
			if (over)
				d_prune_some(DCACHE_PRUNE_BATCH, NULL);
			return;
		}
		spin_unlock(&dcache_lock);
		d = d_free(d);
	}
}

/* Free up to max unused dentries (of sb only, if given), oldest first:
 * the number freed. Victims leave the hash and the LRU under the lock, so
 * nobody can find them again; they are freed outside it (iput sleeps). */
static u32 d_prune_some(u32 max, struct super_block *sb)
{
	struct list_node victims = LIST_INIT(victims);
	struct dentry *d, *tmp;
	u32 n = 0;

	spin_lock(&dcache_lock);
	list_for_each_entry_safe(d, tmp, &dcache_lru, d_lru) {
		if (n == max)
			break;
		if (sb && d->d_sb != sb)
			continue;
		list_del(&d->d_lru);
		list_del(&d->d_hash_node);
		d->d_flags &= ~DCACHE_HASHED;
		nr_unused--;
		list_add_tail(&d->d_lru, &victims);
		n++;
	}
	spin_unlock(&dcache_lock);
	list_for_each_entry_safe(d, tmp, &victims, d_lru)
		dput(d_free(d));
	return n;
}

void dcache_prune_sb(struct super_block *sb)
{
	/* Freeing a leaf can make its parent unused: repeat until none. */
	while (d_prune_some(~0u, sb))
		;
}

void dcache_shrink(void)
{
	while (d_prune_some(~0u, NULL))
		;
}

struct dentry *d_lookup(struct dentry *parent, const char *name, size_t len)
{
	u32 hash = d_hash_name(parent, name, len);
	struct dentry *d, *found = NULL;

	spin_lock(&dcache_lock);
	list_for_each_entry(d, d_bucket(hash), d_hash_node) {
		if (d->d_hash != hash || d->d_parent != parent ||
		    d->d_len != len || memcmp(d->d_name, name, len))
			continue;
		if (d->d_count++ == 0) {
			list_del(&d->d_lru);
			nr_unused--;
		}
		found = d;
		break;
	}
	spin_unlock(&dcache_lock);
	return found;
}

void d_add(struct dentry *d, struct inode *inode)
{
	spin_lock(&dcache_lock);
	WRITE_ONCE(d->d_inode, inode);
	d->d_flags |= DCACHE_HASHED;
	list_add(&d->d_hash_node, d_bucket(d->d_hash));
	spin_unlock(&dcache_lock);
}

void d_instantiate(struct dentry *d, struct inode *inode)
{
	spin_lock(&dcache_lock);
	WRITE_ONCE(d->d_inode, inode);
	spin_unlock(&dcache_lock);
}

void d_drop(struct dentry *d)
{
	spin_lock(&dcache_lock);
	if (d->d_flags & DCACHE_HASHED) {
		list_del(&d->d_hash_node);
		d->d_flags &= ~DCACHE_HASHED;
	}
	d->d_flags |= DCACHE_DROPPED;
	spin_unlock(&dcache_lock);
}

/* Unhash every cached name under dir, which a directory removal (rmdir,
 * rename over an empty directory) made empty: they are all negative, and
 * each holds dir and through it the removed inode, which the file system
 * frees only on its last iput. Unused ones are freed now, the others when
 * their holders let go. Walks the whole table: removals are rare. */
void d_drop_children(struct dentry *dir)
{
	struct list_node victims = LIST_INIT(victims);
	struct dentry *d, *tmp;

	spin_lock(&dcache_lock);
	for (u32 b = 0; b < DHASH_SIZE; b++) {
		list_for_each_entry_safe(d, tmp, &dhash[b], d_hash_node) {
			if (d->d_parent != dir || d == dir)
				continue;
			list_del(&d->d_hash_node);
			d->d_flags = (d->d_flags & ~DCACHE_HASHED) | DCACHE_DROPPED;
			if (d->d_count)
				continue;
			list_del(&d->d_lru);
			nr_unused--;
			list_add_tail(&d->d_lru, &victims);
		}
	}
	spin_unlock(&dcache_lock);
	list_for_each_entry_safe(d, tmp, &victims, d_lru)
		dput(d_free(d));
}

bool d_dropped(struct dentry *d)
{
	return READ_ONCE(d->d_flags) & DCACHE_DROPPED;
}

void d_move(struct dentry *d, struct dentry *new_parent, const char *name, size_t len)
{
	char *ext = NULL;
	const char *old_name;
	struct dentry *old_parent;

	if (len >= DNAME_INLINE_LEN) {
		ext = kmalloc(len + 1, GFP_KERNEL);
		if (!ext) {
			/* The rename happened; the cache just forgets d. */
			d_drop(d);
			return;
		}
		memcpy(ext, name, len);
		ext[len] = 0;
	}
	dget(new_parent);
	spin_lock(&dcache_lock);
	old_name = d->d_name;
	old_parent = d->d_parent;
	if (ext) {
		d->d_name = ext;
	} else {
		memcpy(d->d_iname, name, len);
		d->d_iname[len] = 0;
		d->d_name = d->d_iname;
	}
	d->d_len = (u32)len;
	d->d_parent = new_parent;
	d->d_hash = d_hash_name(new_parent, name, len);
	if (d->d_flags & DCACHE_HASHED) {
		list_del(&d->d_hash_node);
		list_add(&d->d_hash_node, d_bucket(d->d_hash));
	}
	spin_unlock(&dcache_lock);
	if (old_name != d->d_iname)
		kfree(old_name);
	dput(old_parent);
}

struct dentry *d_get_parent(struct dentry *d)
{
	struct dentry *p;

	spin_lock(&dcache_lock);
	p = d->d_parent;
	p->d_count++;           /* d holds p: the count was not 0 */
	spin_unlock(&dcache_lock);
	return p;
}

bool d_is_ancestor(struct dentry *anc, struct dentry *d)
{
	bool found = false;

	spin_lock(&dcache_lock);
	for (;;) {
		if (d == anc) {
			found = true;
			break;
		}
		if (d->d_parent == d)
			break;
		d = d->d_parent;
	}
	spin_unlock(&dcache_lock);
	return found;
}

size_t d_name_copy(struct dentry *d, char *buf)
{
	size_t len;

	spin_lock(&dcache_lock);
	len = d->d_len;
	memcpy(buf, d->d_name, len + 1);
	spin_unlock(&dcache_lock);
	return len;
}

void path_get(const struct path *p)
{
	mnt_get(p->mnt);
	dget(p->dentry);
}

void path_put(struct path *p)
{
	if (p->dentry)
		dput(p->dentry);
	if (p->mnt)
		mnt_put(p->mnt);
	p->dentry = NULL;
	p->mnt = NULL;
}
