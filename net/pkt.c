/* Packet buffers (see pkt.h). */
#include "net/pkt.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"

struct pkt *pkt_alloc(u32 size, u32 headroom)
{
	struct pkt *p;

	if (headroom > size || size > KMALLOC_MAX_SIZE - sizeof(*p))
		return NULL;
	p = kmalloc(sizeof(*p) + size, GFP_ATOMIC);
	if (!p)
		return NULL;
	memset(p, 0, sizeof(*p));
	list_init(&p->node);
	p->size = size;
	p->data = p->buf + headroom;
	return p;
}

void pkt_free(struct pkt *p)
{
	kfree(p);
}

struct pkt *pkt_clone(const struct pkt *p)
{
	struct pkt *c = pkt_alloc(p->size, pkt_headroom(p));

	if (!c)
		return NULL;
	memcpy(c->data, p->data, p->len);
	c->len = p->len;
	c->dev = p->dev;
	c->csum_valid = p->csum_valid;
	c->link_bcast = p->link_bcast;
	if (p->nh)
		c->nh = c->data + (p->nh - p->data);
	if (p->th)
		c->th = c->data + (p->th - p->data);
	return c;
}
