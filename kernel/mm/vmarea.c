/* Kernel virtual address ranges (see vmarea.h). */
#include "kernel/mm/vmarea.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/lib/compiler.h"
#include "kernel/lib/errno.h"

struct vm_range {
	struct list_node link;
	uintptr_t start;
	size_t size;
	bool used;
};

int vmarea_pool_init(struct vmarea_pool *p, uintptr_t base, size_t size)
{
	struct vm_range *r = kmalloc(sizeof(*r), GFP_KERNEL);

	if (!r)
		return -ENOMEM;
	p->lock = (struct spinlock)SPINLOCK_INIT("vmarea");
	list_init(&p->ranges);
	*r = (struct vm_range){ .start = base, .size = size, .used = false };
	list_add(&r->link, &p->ranges);
	return 0;
}

uintptr_t vmarea_alloc(struct vmarea_pool *p, size_t size, size_t align)
{
	/* A split needs up to two new nodes; get them before the lock. */
	struct vm_range *front = kmalloc(sizeof(*front), GFP_KERNEL);
	struct vm_range *back = kmalloc(sizeof(*back), GFP_KERNEL);
	struct vm_range *r;
	uintptr_t start = 0;

	if (!front || !back || !size)
		goto out_free;
	spin_lock(&p->lock);
	list_for_each_entry(r, &p->ranges, link) {
		uintptr_t at = ALIGN_UP(r->start, align);

		if (r->used || at < r->start || at - r->start + size > r->size)
			continue;
		if (at > r->start) {            /* keep the unaligned head free */
			*front = (struct vm_range){ .start = r->start,
						    .size = at - r->start };
			list_add_tail(&front->link, &r->link);
			r->start = at;
			r->size -= front->size;
			front = NULL;
		}
		if (r->size > size) {           /* and the tail */
			*back = (struct vm_range){ .start = at + size,
						   .size = r->size - size };
			list_add(&back->link, &r->link);
			r->size = size;
			back = NULL;
		}
		r->used = true;
		start = at;
		break;
	}
	spin_unlock(&p->lock);
out_free:
	kfree(front);
	kfree(back);
	return start;
}

uintptr_t vmarea_find(struct vmarea_pool *p, uintptr_t addr, size_t *size)
{
	struct vm_range *r;
	uintptr_t start = 0;

	spin_lock(&p->lock);
	list_for_each_entry(r, &p->ranges, link) {
		if (r->used && addr >= r->start && addr - r->start < r->size) {
			start = r->start;
			*size = r->size;
			break;
		}
	}
	spin_unlock(&p->lock);
	return start;
}

int vmarea_free(struct vmarea_pool *p, uintptr_t start)
{
	struct vm_range *r, *gone[2] = { NULL, NULL };
	int err = -ENOENT;

	spin_lock(&p->lock);
	list_for_each_entry(r, &p->ranges, link) {
		struct vm_range *prev, *next;

		if (!r->used || r->start != start)
			continue;
		r->used = false;
		prev = list_entry(r->link.prev, struct vm_range, link);
		next = list_entry(r->link.next, struct vm_range, link);
		if (&next->link != &p->ranges && !next->used) {
			r->size += next->size;
			list_del(&next->link);
			gone[0] = next;
		}
		if (&prev->link != &p->ranges && !prev->used) {
			prev->size += r->size;
			list_del(&r->link);
			gone[1] = r;
		}
		err = 0;
		break;
	}
	spin_unlock(&p->lock);
	kfree(gone[0]);
	kfree(gone[1]);
	return err;
}
