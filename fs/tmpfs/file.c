/*
 * tmpfs file data: an array of page pointers indexed by page number,
 * grown by doubling; a NULL slot is a hole and reads as zeros. Pages
 * are counted against the mount's size limit (ENOSPC beyond it).
 *
 * Each page is a shared frame (kernel/mm/upage.h) the file holds one
 * reference on; private mappings of the file map the same frames
 * read-only (tmpfs_get_page), so the file's writes show through them
 * until a mapping writes its own copy, and a page the file drops
 * (truncate, unlink) lives on in the mappings that still have it.
 */
#include "fs/tmpfs/internal.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/upage.h"

static u8 *tmpfs_page_alloc(struct super_block *sb)
{
	struct tmpfs_sb *tsb = TSB(sb);
	phys_addr_t pa;
	bool ok;

	spin_lock(&tsb->lock);
	ok = tsb->used_pages < tsb->max_pages;
	if (ok)
		tsb->used_pages++;
	spin_unlock(&tsb->lock);
	if (!ok)
		return NULL;
	pa = upage_alloc();
	if (!pa) {
		spin_lock(&tsb->lock);
		tsb->used_pages--;
		spin_unlock(&tsb->lock);
		return NULL;
	}
	return phys_to_virt(pa);
}

static void tmpfs_page_free(struct super_block *sb, u8 *page)
{
	struct tmpfs_sb *tsb = TSB(sb);

	upage_put(virt_to_phys(page), false);
	spin_lock(&tsb->lock);
	tsb->used_pages--;
	spin_unlock(&tsb->lock);
}

static int tmpfs_grow_slots(struct tmpfs_inode *ti, u64 want)
{
	u64 n = ti->nr_slots ? ti->nr_slots : 8;
	u8 **pages, **old;

	while (n < want)
		n *= 2;
	if (n * sizeof(*pages) > KMALLOC_MAX_SIZE)
		return -EFBIG;
	pages = kzalloc(n * sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	if (ti->nr_slots)
		memcpy(pages, ti->pages, ti->nr_slots * sizeof(*pages));
	spin_lock(&TSB(ti->inode->i_sb)->lock);
	old = ti->pages;
	ti->pages = pages;
	ti->nr_slots = n;
	spin_unlock(&TSB(ti->inode->i_sb)->lock);
	kfree(old);
	return 0;
}

static ssize_t tmpfs_read(struct file *f, struct vfs_buf buf, size_t len, u64 *pos)
{
	struct inode *inode = f->f_inode;
	struct tmpfs_inode *ti = TI(inode);
	size_t done = 0;
	int err = 0;

	mutex_lock(&inode->i_mutex);
	if (*pos < inode->i_size && len > inode->i_size - *pos)
		len = (size_t)(inode->i_size - *pos);
	while (*pos < inode->i_size && done < len) {
		u64 idx = *pos / PAGE_SIZE;
		size_t off = *pos % PAGE_SIZE, n = PAGE_SIZE - off;

		if (n > len - done)
			n = len - done;
		if (idx < ti->nr_slots && ti->pages[idx])
			err = vfs_buf_to(buf, done, ti->pages[idx] + off, n);
		else
			err = vfs_buf_zero(buf, done, n);
		if (err)
			break;
		done += n;
		*pos += n;
	}
	mutex_unlock(&inode->i_mutex);
	return done ? (ssize_t)done : err;
}

/* The VFS holds i_mutex. */
static ssize_t tmpfs_write(struct file *f, struct vfs_buf buf, size_t len, u64 *pos)
{
	struct inode *inode = f->f_inode;
	struct tmpfs_inode *ti = TI(inode);
	u64 max = inode->i_sb->s_maxbytes;
	size_t done = 0;
	int err = 0;

	if (*pos >= max)
		return len ? -EFBIG : 0;
	if (len > max - *pos)
		len = (size_t)(max - *pos);
	while (done < len) {
		u64 idx = *pos / PAGE_SIZE;
		size_t off = *pos % PAGE_SIZE, n = PAGE_SIZE - off;

		if (n > len - done)
			n = len - done;
		if (idx >= ti->nr_slots) {
			err = tmpfs_grow_slots(ti, idx + 1);
			if (err)
				break;
		}
		if (!ti->pages[idx]) {
			u8 *page = tmpfs_page_alloc(inode->i_sb);

			if (!page) {
				err = -ENOSPC;
				break;
			}
			spin_lock(&TSB(inode->i_sb)->lock);
			ti->pages[idx] = page;
			spin_unlock(&TSB(inode->i_sb)->lock);
			inode->i_blocks += PAGE_SIZE / 512;
		}
		err = vfs_buf_from(ti->pages[idx] + off, buf, done, n);
		if (err)
			break;
		done += n;
		*pos += n;
		if (*pos > inode->i_size)
			inode->i_size = *pos;
	}
	if (done)
		inode->i_mtime = inode->i_ctime = vfs_now();
	return done ? (ssize_t)done : err;
}

void tmpfs_free_data(struct inode *inode)
{
	struct tmpfs_inode *ti = TI(inode);

	for (u64 i = 0; i < ti->nr_slots; i++)
		if (ti->pages[i])
			tmpfs_page_free(inode->i_sb, ti->pages[i]);
	kfree(ti->pages);
	ti->pages = NULL;
	ti->nr_slots = 0;
	inode->i_blocks = 0;
}

int tmpfs_truncate(struct inode *inode, u64 size)
{
	struct tmpfs_inode *ti = TI(inode);
	u64 keep = (size + PAGE_SIZE - 1) / PAGE_SIZE;

	if (size > inode->i_sb->s_maxbytes)
		return -EFBIG;
	for (u64 i = keep; i < ti->nr_slots; i++) {
		u8 *page = ti->pages[i];

		if (page) {
			spin_lock(&TSB(inode->i_sb)->lock);
			ti->pages[i] = NULL;
			spin_unlock(&TSB(inode->i_sb)->lock);
			tmpfs_page_free(inode->i_sb, page);
			inode->i_blocks -= PAGE_SIZE / 512;
		}
	}
	/* Zero the cut-off tail so a later extension reads zeros there. */
	if (size % PAGE_SIZE && keep - 1 < ti->nr_slots && ti->pages[keep - 1])
		memset(ti->pages[keep - 1] + size % PAGE_SIZE, 0,
		       PAGE_SIZE - size % PAGE_SIZE);
	inode->i_size = size;
	return 0;
}

static int tmpfs_get_page(struct file *f, u64 pos, phys_addr_t *pa)
{
	struct inode *inode = f->f_inode;
	struct tmpfs_inode *ti = TI(inode);
	u64 idx = pos / PAGE_SIZE;
	int err = -ENODATA;

	/* The sb lock, not i_mutex: the fault may come from a read or write
	 * of this very file, which holds i_mutex while it copies from or to
	 * the mapping. Under the lock truncation cannot free the page before
	 * it is held. */
	spin_lock(&TSB(inode->i_sb)->lock);
	if (pos < READ_ONCE(inode->i_size) && idx < ti->nr_slots && ti->pages[idx]) {
		*pa = virt_to_phys(ti->pages[idx]);
		upage_get(*pa);
		err = 0;
	}
	spin_unlock(&TSB(inode->i_sb)->lock);
	return err;
}

static int tmpfs_fsync(struct file *f, bool datasync)
{
	return 0;       /* memory is the backing store */
}

const struct inode_operations tmpfs_file_iops = {
	.setattr = tmpfs_setattr,
};

const struct file_operations tmpfs_file_fops = {
	.read = tmpfs_read,
	.write = tmpfs_write,
	.fsync = tmpfs_fsync,
	.get_page = tmpfs_get_page,
};
