/* Process memory (see vm.h). */
#include "kernel/proc/vm.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/upage.h"
#include "kernel/mm/vmm.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"
#include "vfs/vfs.h"
#include <linux/mman.h>

/* ---- page protection -------------------------------------------------------- */

/* Page-table protection for an area's pages. PROT_NONE pages stay mapped
 * (their contents survive an mprotect back) but without the user bit, so
 * any user access faults. cow: withhold the write bit. */
static unsigned pte_prot(unsigned prot, bool cow)
{
	unsigned p = VM_READ;

	if (prot == PROT_NONE)
		return p;
	p |= VM_USER;
	if ((prot & PROT_WRITE) && !cow)
		p |= VM_WRITE;
	if (prot & PROT_EXEC)
		p |= VM_EXEC;
	return p;
}

/* ---- areas ------------------------------------------------------------------- */

static struct vm_area *area_find(struct mm *mm, uintptr_t addr)
{
	struct vm_area *a;

	list_for_each_entry(a, &mm->areas, node) {
		if (addr < a->start)
			return NULL;
		if (addr < a->end)
			return a;
	}
	return NULL;
}

static void area_free(struct vm_area *a)
{
	if (a->file)
		file_put(a->file);
	kfree(a);
}

/* Insert a (not on any list) in address order. */
static void area_insert(struct mm *mm, struct vm_area *a)
{
	struct vm_area *pos;

	list_for_each_entry(pos, &mm->areas, node) {
		if (pos->start >= a->end) {
			list_insert_(&a->node, pos->node.prev, &pos->node);
			return;
		}
	}
	list_add_tail(&a->node, &mm->areas);
}

/* Split the area containing addr so that an area starts at addr. */
static int area_split(struct mm *mm, uintptr_t addr)
{
	struct vm_area *a = area_find(mm, addr), *b;

	if (!a || a->start == addr)
		return 0;
	b = kmalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	*b = *a;
	b->start = addr;
	b->off = a->off + (addr - a->start);
	if (b->file)
		file_get(b->file);
	a->end = addr;
	list_insert_(&b->node, &a->node, a->node.next);
	return 0;
}

/* Frames collected from a range before it is unmapped. */
struct frame_batch {
	phys_addr_t pa[64];
	unsigned prot[64];
	unsigned n;
	uintptr_t stop;                 /* first page not collected */
};

static int batch_collect(uintptr_t va, phys_addr_t pa, unsigned prot, void *ctx)
{
	struct frame_batch *b = ctx;

	if (b->n == ARRAY_SIZE(b->pa)) {
		b->stop = va;
		return 1;
	}
	b->pa[b->n] = pa;
	b->prot[b->n++] = prot;
	return 0;
}

/* Unmap every page in [start, end) and drop its frame reference, in
 * batches: frames go back only after the shootdown in vmm_unmap. */
static int release_range(struct mm *mm, uintptr_t start, uintptr_t end)
{
	struct frame_batch b;

	while (start < end) {
		uintptr_t upto;
		int more, err;

		b.n = 0;
		more = vmm_walk(mm->as, start, end - start, batch_collect, &b);
		upto = more ? b.stop : end;
		if (!b.n)
			return 0;
		err = vmm_unmap(mm->as, start, upto - start);
		if (err)
			return err;
		for (unsigned i = 0; i < b.n; i++)
			upage_put(b.pa[i], b.prot[i] & VM_EXEC);
		start = upto;
	}
	return 0;
}

/* Remove [start, end) from the area list and the page tables. */
static int unmap_range(struct mm *mm, uintptr_t start, uintptr_t end)
{
	struct vm_area *a, *tmp;
	int err;

	err = area_split(mm, start);
	if (!err)
		err = area_split(mm, end);
	if (err)
		return err;
	err = release_range(mm, start, end);
	if (err)
		return err;
	list_for_each_entry_safe(a, tmp, &mm->areas, node) {
		if (a->start >= start && a->end <= end) {
			list_del(&a->node);
			area_free(a);
		}
	}
	return 0;
}

static bool range_free(struct mm *mm, uintptr_t start, uintptr_t end)
{
	struct vm_area *a;

	list_for_each_entry(a, &mm->areas, node)
		if (a->start < end && a->end > start)
			return false;
	return true;
}

/* The highest free gap of len bytes below VM_MMAP_TOP, or 0. */
static uintptr_t find_gap(struct mm *mm, size_t len)
{
	uintptr_t top = VM_MMAP_TOP;
	struct vm_area *a;

	if (len > VM_MMAP_TOP - VM_MMAP_MIN)
		return 0;
	for (struct list_node *n = mm->areas.prev; n != &mm->areas; n = n->prev) {
		a = list_entry(n, struct vm_area, node);
		if (a->start >= top)
			continue;
		if (a->end <= top - len)
			break;
		top = a->start;
		if (top < VM_MMAP_MIN + len)
			return 0;
	}
	return top - len >= VM_MMAP_MIN ? top - len : 0;
}

/* ---- address spaces ------------------------------------------------------------ */

struct mm *mm_create(void)
{
	struct mm *mm = kzalloc(sizeof(*mm), GFP_KERNEL);

	if (!mm)
		return NULL;
	mm->as = as_create();
	if (!mm->as) {
		kfree(mm);
		return NULL;
	}
	mutex_init(&mm->lock, "mm");
	list_init(&mm->areas);
	mm->users = 1;
	return mm;
}

void mm_get(struct mm *mm)
{
	__atomic_add_fetch(&mm->users, 1, __ATOMIC_RELAXED);
}

static int put_frame(uintptr_t va, phys_addr_t pa, unsigned prot, void *ctx)
{
	upage_put(pa, prot & VM_EXEC);
	return 0;
}

void mm_put(struct mm *mm)
{
	struct vm_area *a, *tmp;

	if (!mm || __atomic_sub_fetch(&mm->users, 1, __ATOMIC_ACQ_REL))
		return;
	/* Loaded nowhere: no TLB can hold its entries, so the frames can go
	 * back while the tables still name them; as_destroy frees those. */
	vmm_walk(mm->as, 0, USER_END, put_frame, NULL);
	as_destroy(mm->as);
	list_for_each_entry_safe(a, tmp, &mm->areas, node)
		area_free(a);
	kfree(mm);
}

static int count_frame(uintptr_t va, phys_addr_t pa, unsigned prot, void *ctx)
{
	(*(u64 *)ctx)++;
	return 0;
}

u64 mm_resident_pages(struct mm *mm)
{
	u64 n = 0;

	vmm_walk(mm->as, 0, USER_END, count_frame, &n);
	return n;
}

struct fork_ctx {
	struct addr_space *child;
	unsigned prot;                  /* for every page of the area */
};

static int fork_page(uintptr_t va, phys_addr_t pa, unsigned prot, void *ctx)
{
	struct fork_ctx *f = ctx;
	int err;

	/* Keep a PROT_NONE page's missing user bit. */
	err = vmm_map(f->child, va, pa, PAGE_SIZE, (prot & VM_USER) ? f->prot : prot);
	if (err)
		return err;
	upage_get(pa);
	return 0;
}

struct mm *mm_fork(struct mm *old)
{
	struct mm *mm = mm_create();
	struct vm_area *a, *c;
	int err = 0;

	if (!mm)
		return ERR_PTR(-ENOMEM);
	mutex_lock(&old->lock);
	mm->brk_start = old->brk_start;
	mm->brk = old->brk;
	mm->arg_start = old->arg_start;
	mm->arg_end = old->arg_end;
	mm->env_start = old->env_start;
	mm->env_end = old->env_end;
	list_for_each_entry(a, &old->areas, node) {
		bool cow = !(a->flags & VMA_SHARED) && (a->prot & PROT_WRITE);
		struct fork_ctx f = { mm->as, pte_prot(a->prot, cow) };

		c = kmalloc(sizeof(*c), GFP_KERNEL);
		if (!c) {
			err = -ENOMEM;
			break;
		}
		*c = *a;
		if (c->file)
			file_get(c->file);
		list_add_tail(&c->node, &mm->areas);
		err = vmm_walk(old->as, a->start, a->end - a->start, fork_page, &f);
		if (!err && cow)
			err = vmm_protect(old->as, a->start, a->end - a->start, f.prot);
		if (err)
			break;
	}
	mutex_unlock(&old->lock);
	if (err) {
		mm_put(mm);
		return ERR_PTR(err);
	}
	return mm;
}

/* ---- mapping ------------------------------------------------------------------------ */

/* Allocate every page of [start, end) now (MAP_SHARED anonymous). */
static int populate(struct mm *mm, uintptr_t start, uintptr_t end, unsigned prot)
{
	for (uintptr_t va = start; va < end; va += PAGE_SIZE) {
		phys_addr_t pa = upage_alloc();
		int err;

		if (!pa)
			return -ENOMEM;
		err = vmm_map(mm->as, va, pa, PAGE_SIZE, pte_prot(prot, false));
		if (err) {
			upage_put(pa, false);
			return err;
		}
	}
	return 0;
}

static int map_locked(struct mm *mm, uintptr_t addr, size_t len, unsigned prot,
		      unsigned flags, struct file *file, u64 off, uintptr_t file_end)
{
	struct vm_area *a = kzalloc(sizeof(*a), GFP_KERNEL);
	int err;

	if (!a)
		return -ENOMEM;
	err = unmap_range(mm, addr, addr + len);
	if (err) {
		kfree(a);
		return err;
	}
	a->start = addr;
	a->end = addr + len;
	a->prot = prot;
	a->flags = flags;
	a->file = file ? file_get(file) : NULL;
	a->off = off;
	a->file_end = file_end;
	area_insert(mm, a);
	if ((flags & VMA_SHARED) && !file) {
		err = populate(mm, a->start, a->end, prot);
		if (err)
			unmap_range(mm, a->start, a->end);
	}
	return err;
}

int vm_map_fixed(struct mm *mm, uintptr_t addr, size_t len, unsigned prot,
		 unsigned flags, struct file *file, u64 off, uintptr_t file_end)
{
	int err;

	mutex_lock(&mm->lock);
	err = map_locked(mm, addr, len, prot, flags, file, off, file_end);
	mutex_unlock(&mm->lock);
	return err;
}

long vm_mmap(struct mm *mm, uintptr_t addr, size_t len, unsigned prot,
	     unsigned flags, struct file *file, u64 off)
{
	unsigned type = flags & MAP_TYPE, vflags = 0;
	uintptr_t file_end = 0;
	long ret;

	if (!len || (addr & (PAGE_SIZE - 1)) || (off & (PAGE_SIZE - 1)) ||
	    (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE) ||
	    (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	if (len > USER_END)
		return -ENOMEM;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (type != MAP_PRIVATE)
		vflags |= VMA_SHARED;
	if (file) {
		if (vflags & VMA_SHARED)
			return -ENODEV;         /* shared file mappings: not supported */
		if (!(file->f_mode & FMODE_READ))
			return -EACCES;
		if (!S_ISREG(file->f_inode->i_mode))
			return -ENODEV;
	}
	mutex_lock(&mm->lock);
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		ret = -EINVAL;
		if (addr < VM_MMAP_MIN || addr + len > USER_END || addr + len < addr)
			goto out;
		ret = -EEXIST;
		if ((flags & MAP_FIXED_NOREPLACE) && !range_free(mm, addr, addr + len))
			goto out;
	} else if (!addr || addr < VM_MMAP_MIN || addr + len > USER_END ||
		   addr + len < addr || !range_free(mm, addr, addr + len)) {
		addr = find_gap(mm, len);
		ret = -ENOMEM;
		if (!addr)
			goto out;
	}
	if (file) {
		u64 size = file->f_inode->i_size;

		file_end = size > off ? addr + MIN(size - off, (u64)len) : addr;
	}
	ret = map_locked(mm, addr, len, prot, vflags, file, off, file_end);
	if (!ret)
		ret = (long)addr;
out:
	mutex_unlock(&mm->lock);
	return ret;
}

int vm_munmap(struct mm *mm, uintptr_t addr, size_t len)
{
	int err;

	if ((addr & (PAGE_SIZE - 1)) || !len || len > USER_END ||
	    addr > USER_END - ALIGN_UP(len, PAGE_SIZE))
		return -EINVAL;
	mutex_lock(&mm->lock);
	err = unmap_range(mm, addr, addr + ALIGN_UP(len, PAGE_SIZE));
	mutex_unlock(&mm->lock);
	return err;
}

int vm_mprotect(struct mm *mm, uintptr_t addr, size_t len, unsigned prot)
{
	uintptr_t end;
	struct vm_area *a;
	int err;

	if ((addr & (PAGE_SIZE - 1)) || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	end = addr + len;
	if (end < addr || end > USER_END)
		return -ENOMEM;
	if (!len)
		return 0;
	mutex_lock(&mm->lock);
	/* Every page of the range must be mapped (Linux: -ENOMEM). */
	for (uintptr_t va = addr; va < end;) {
		a = area_find(mm, va);
		err = -ENOMEM;
		if (!a)
			goto out;
		va = a->end;
	}
	err = area_split(mm, addr);
	if (!err)
		err = area_split(mm, end);
	if (err)
		goto out;
	list_for_each_entry(a, &mm->areas, node) {
		bool cow;

		if (a->start < addr || a->end > end)
			continue;
		a->prot = prot;
		/* Private pages may still be shared with a fork relative:
		 * write access comes back page by page through vm_fault. */
		cow = !(a->flags & VMA_SHARED);
		err = vmm_protect(mm->as, a->start, a->end - a->start, pte_prot(prot, cow));
		if (err)
			goto out;
	}
out:
	mutex_unlock(&mm->lock);
	return err;
}

uintptr_t vm_brk(struct mm *mm, uintptr_t addr)
{
	uintptr_t old_end, new_end;
	struct vm_area *heap = NULL, *a;

	mutex_lock(&mm->lock);
	if (addr < mm->brk_start || addr >= VM_MMAP_TOP)
		goto out;
	old_end = ALIGN_UP(mm->brk, PAGE_SIZE);
	new_end = ALIGN_UP(addr, PAGE_SIZE);
	list_for_each_entry(a, &mm->areas, node)
		if (a->flags & VMA_HEAP)
			heap = a;
	if (new_end > old_end) {
		if (!range_free(mm, old_end, new_end))
			goto out;
		if (heap) {
			heap->end = new_end;
		} else if (map_locked(mm, old_end, new_end - old_end,
				      PROT_READ | PROT_WRITE, VMA_HEAP, NULL, 0, 0)) {
			goto out;
		}
	} else if (new_end < old_end) {
		if (unmap_range(mm, new_end, old_end))
			goto out;
	}
	mm->brk = addr;
out:
	addr = mm->brk;
	mutex_unlock(&mm->lock);
	return addr;
}

/* ---- faults ---------------------------------------------------------------------------- */

/* Fill a new frame for page va of a file area. */
static int fill_from_file(struct vm_area *a, uintptr_t va, phys_addr_t pa)
{
	u64 pos = a->off + (va - a->start);
	size_t want, done = 0;

	if (va >= a->file_end)
		return 0;
	want = MIN((uintptr_t)PAGE_SIZE, a->file_end - va);
	while (done < want) {
		ssize_t n = vfs_read(a->file, VFS_KBUF((u8 *)phys_to_virt(pa) + done),
				     want - done, &pos);

		if (n < 0)
			return -EIO;
		if (n == 0)
			break;          /* the file shrank: the rest stays zero */
		done += (size_t)n;
	}
	return 0;
}

/*
 * The file's own page for page va of a file area, held, to map without
 * the write bit; 0 where the page must be a copy: the file system lends
 * no page there, or the area shows zeros where the file's page has data
 * (file_end inside the page, before the end of the file).
 */
static phys_addr_t file_page(struct vm_area *a, uintptr_t va)
{
	struct file *f = a->file;
	u64 pos = a->off + (va - a->start);
	phys_addr_t pa;

	if (!f->f_op->get_page || va >= a->file_end || (pos & (PAGE_SIZE - 1)))
		return 0;
	if (va + PAGE_SIZE > a->file_end &&
	    pos + (a->file_end - va) < READ_ONCE(f->f_inode->i_size))
		return 0;
	if (f->f_op->get_page(f, pos, &pa))
		return 0;
	return pa;
}

/* A private page another space or the file's cache may share: copy it,
 * or take the write bit back if this is the last reference. */
static int break_cow(struct mm *mm, struct vm_area *a, uintptr_t va, phys_addr_t old)
{
	phys_addr_t pa;
	int err;

	if (upage_refs(old) == 1)
		return vmm_protect(mm->as, va, PAGE_SIZE, pte_prot(a->prot, false));
	pa = upage_alloc();
	if (!pa)
		return -ENOMEM;
	memcpy(phys_to_virt(pa), phys_to_virt(old), PAGE_SIZE);
	err = vmm_unmap(mm->as, va, PAGE_SIZE);
	if (!err)
		err = vmm_map(mm->as, va, pa, PAGE_SIZE, pte_prot(a->prot, false));
	if (err) {
		upage_put(pa, false);
		return err;
	}
	upage_put(old, a->prot & PROT_EXEC);
	return 0;
}

/*
 * Map page va of area a, which is not mapped yet, for access (VM_WRITE
 * or not). A file page that is only read shares the file's own page
 * (break_cow copies it on the first write, as after fork); one that is
 * written at once, or that the file cannot lend, is read into a new
 * frame. *out (if not NULL): the frame.
 */
static int fault_in(struct mm *mm, struct vm_area *a, uintptr_t va, unsigned access,
		    phys_addr_t *out)
{
	phys_addr_t pa = 0;
	bool shared;
	int err;

	if (a->file && !(access & VM_WRITE))
		pa = file_page(a, va);
	shared = pa != 0;
	if (!shared) {
		pa = upage_alloc();
		if (!pa)
			return -ENOMEM;
	}
	err = a->file && !shared ? fill_from_file(a, va, pa) : 0;
	if (!err)
		err = vmm_map(mm->as, va, pa, PAGE_SIZE, pte_prot(a->prot, shared));
	if (err) {
		upage_put(pa, false);
		return err;
	}
	if (out)
		*out = pa;
	return 0;
}

int vm_fault(struct mm *mm, uintptr_t addr, unsigned access)
{
	uintptr_t va = ALIGN_DOWN(addr, PAGE_SIZE);
	struct vm_area *a;
	phys_addr_t pa;
	unsigned prot;
	int err = -EFAULT;

	if (addr >= USER_END)
		return -EFAULT;
	mutex_lock(&mm->lock);
	a = area_find(mm, addr);
	if (!a || a->prot == PROT_NONE ||
	    ((access & VM_WRITE) && !(a->prot & PROT_WRITE)) ||
	    ((access & VM_EXEC) && !(a->prot & PROT_EXEC)))
		goto out;
	if (vmm_query(mm->as, va, &pa, &prot)) {
		err = fault_in(mm, a, va, access, NULL);
	} else if ((access & VM_WRITE) && !(prot & VM_WRITE)) {
		err = (a->flags & VMA_SHARED) ?
		      vmm_protect(mm->as, va, PAGE_SIZE, pte_prot(a->prot, false)) :
		      break_cow(mm, a, va, pa);
	} else {
		err = 0;                /* another fault got here first */
	}
out:
	mutex_unlock(&mm->lock);
	return err;
}

size_t vm_prefault(struct mm *mm, uintptr_t addr, size_t len, unsigned access)
{
	uintptr_t va = ALIGN_DOWN(addr, PAGE_SIZE);
	size_t done = 0;

	if (addr >= USER_END)
		return 0;
	len = MIN(len, USER_END - addr);
	while (done < len) {
		phys_addr_t pa;
		unsigned prot;

		/* Mapped as needed already: no lock, only this process changes
		 * its own page tables. */
		if (vmm_query(mm->as, va, &pa, &prot) ||
		    ((access & VM_WRITE) && !(prot & VM_WRITE))) {
			if (vm_fault(mm, va, access))
				break;
		}
		done = MIN(len, va + PAGE_SIZE - addr);
		va += PAGE_SIZE;
	}
	return done;
}

int vm_write_direct(struct mm *mm, uintptr_t addr, const void *buf, size_t len)
{
	const u8 *src = buf;
	int err = 0;

	mutex_lock(&mm->lock);
	while (len) {
		uintptr_t va = ALIGN_DOWN(addr, PAGE_SIZE);
		size_t n = MIN(len, va + PAGE_SIZE - addr);
		struct vm_area *a = area_find(mm, addr);
		phys_addr_t pa;

		unsigned prot;

		err = -EFAULT;
		if (!a)
			break;
		if (vmm_query(mm->as, va, &pa, &prot)) {
			err = fault_in(mm, a, va, VM_WRITE, &pa);
		} else if (!(prot & VM_WRITE) && !(a->flags & VMA_SHARED)) {
			/* Never write through into a page shared with the
			 * file or a fork relative. */
			err = break_cow(mm, a, va, ALIGN_DOWN(pa, PAGE_SIZE));
			if (!err)
				err = vmm_query(mm->as, va, &pa, NULL);
		} else {
			err = 0;
		}
		if (err)
			break;
		pa = ALIGN_DOWN(pa, PAGE_SIZE);
		memcpy((u8 *)phys_to_virt(pa) + (addr - va), src, n);
		src += n;
		addr += n;
		len -= n;
	}
	mutex_unlock(&mm->lock);
	return err;
}

size_t vm_read_direct(struct mm *mm, uintptr_t addr, void *buf, size_t len)
{
	u8 *dst = buf;
	size_t done = 0;

	mutex_lock(&mm->lock);
	while (done < len) {
		uintptr_t va = ALIGN_DOWN(addr, PAGE_SIZE);
		size_t n = MIN(len - done, va + PAGE_SIZE - addr);
		phys_addr_t pa;

		/* mm->lock keeps the frame mapped (and so alive) meanwhile. */
		if (!area_find(mm, addr) || vmm_query(mm->as, va, &pa, NULL))
			break;
		pa = ALIGN_DOWN(pa, PAGE_SIZE);
		memcpy(dst + done, (u8 *)phys_to_virt(pa) + (addr - va), n);
		done += n;
		addr += n;
	}
	mutex_unlock(&mm->lock);
	return done;
}

int vm_for_each_area(struct mm *mm, int (*fn)(const struct vm_area *a, void *ctx),
		     void *ctx)
{
	struct vm_area *a;
	int err = 0;

	mutex_lock(&mm->lock);
	list_for_each_entry(a, &mm->areas, node) {
		err = fn(a, ctx);
		if (err)
			break;
	}
	mutex_unlock(&mm->lock);
	return err;
}

u64 mm_virtual_size(struct mm *mm)
{
	struct vm_area *a;
	u64 size = 0;

	mutex_lock(&mm->lock);
	list_for_each_entry(a, &mm->areas, node)
		size += a->end - a->start;
	mutex_unlock(&mm->lock);
	return size;
}
