/* ext2's page cache for private mappings (see pages.h). */
#include "fs/ext2/pages.h"
#include "fs/ext2/internal.h"
#include "vfs/vfs.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/upage.h"
#include "kernel/sched/mutex.h"

/* inode->i_private of a regular ext2 file, made at its first get_page. */
struct ext2_pages {
	struct mutex lock;              /* pa, nr */
	phys_addr_t *pa;                /* pa[i]: the page at i * PAGE_SIZE, or 0 */
	u64 nr;
};

static u64 ext2_pages_held;             /* in all tables; atomic */

static struct ext2_pages *pages_of(struct inode *inode, bool create)
{
	struct ext2_pages *p = __atomic_load_n((struct ext2_pages **)&inode->i_private,
					       __ATOMIC_ACQUIRE), *none = NULL;

	if (p || !create)
		return p;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return NULL;
	mutex_init(&p->lock, "ext2_pages");
	/* Two first faults race: the loser's table goes. */
	if (!__atomic_compare_exchange_n((struct ext2_pages **)&inode->i_private, &none, p,
					 false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		kfree(p);
		return none;
	}
	return p;
}

static int pages_grow(struct ext2_pages *p, u64 want)
{
	u64 n = p->nr ? p->nr : 16;
	phys_addr_t *pa;

	while (n < want)
		n *= 2;
	if (n * sizeof(*pa) > KMALLOC_MAX_SIZE)
		return -EFBIG;
	pa = kzalloc(n * sizeof(*pa), GFP_KERNEL);
	if (!pa)
		return -ENOMEM;
	if (p->nr)
		memcpy(pa, p->pa, p->nr * sizeof(*pa));
	kfree(p->pa);
	p->pa = pa;
	p->nr = n;
	return 0;
}

/* A new page holding the file's bytes at pos, zeros past its end. */
static int page_read(struct file *f, u64 pos, phys_addr_t *out)
{
	struct inode *inode = f->f_inode;
	phys_addr_t pa = upage_alloc();
	size_t done = 0;

	if (!pa)
		return -ENOMEM;
	while (done < PAGE_SIZE) {
		ssize_t n = ext2_read(inode->i_sb->s_fs_info, (u32)inode->i_ino, pos + done,
				      (u8 *)phys_to_virt(pa) + done, PAGE_SIZE - done,
				      f->private_data);

		if (n < 0) {
			upage_put(pa, false);
			return (int)n;
		}
		if (!n)
			break;
		done += (size_t)n;
	}
	*out = pa;
	return 0;
}

int ext2_get_page(struct file *f, u64 pos, phys_addr_t *pa)
{
	struct ext2_pages *p = pages_of(f->f_inode, true);
	u64 idx = pos / PAGE_SIZE, limit = pmm_total_count() / EXT2_PAGES_MAX_FRACTION;
	int err = 0;

	if (!p)
		return -ENOMEM;
	mutex_lock(&p->lock);
	if (idx < p->nr && p->pa[idx])
		goto out_lend;
	err = -ENOSPC;
	if (__atomic_load_n(&ext2_pages_held, __ATOMIC_RELAXED) >= limit)
		goto out;
	if (idx >= p->nr) {
		err = pages_grow(p, idx + 1);
		if (err)
			goto out;
	}
	err = page_read(f, pos, &p->pa[idx]);
	if (err)
		goto out;
	__atomic_add_fetch(&ext2_pages_held, 1, __ATOMIC_RELAXED);
out_lend:
	*pa = p->pa[idx];
	upage_get(*pa);
out:
	mutex_unlock(&p->lock);
	return err;
}

void ext2_pages_drop(struct inode *inode, u64 from, u64 to)
{
	struct ext2_pages *p = pages_of(inode, false);
	u64 first = from / PAGE_SIZE;

	if (!p)
		return;
	mutex_lock(&p->lock);
	for (u64 i = first; i < p->nr && (u64)i * PAGE_SIZE < to; i++) {
		if (!p->pa[i])
			continue;
		upage_put(p->pa[i], false);
		p->pa[i] = 0;
		__atomic_sub_fetch(&ext2_pages_held, 1, __ATOMIC_RELAXED);
	}
	mutex_unlock(&p->lock);
}

void ext2_pages_free(struct inode *inode)
{
	struct ext2_pages *p = pages_of(inode, false);

	if (!p)
		return;
	ext2_pages_drop(inode, 0, ~0ULL);
	kfree(p->pa);
	kfree(p);
	inode->i_private = NULL;
}
