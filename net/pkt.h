/*
 * Packet buffers. A struct pkt heads one contiguous, physically contiguous
 * buffer (a single kmalloc, so a device can DMA into it); data/len is the
 * part in use. Headers are pushed in front on output (room is reserved up
 * front: PKT_HEADROOM) and pulled off on input.
 *
 * A pkt belongs to one owner at a time: the driver until it hands it to
 * the stack, then the layer holding it (under net_lock), then the driver
 * again for transmission, which frees it when the device is done.
 */
#ifndef VIREO_NET_PKT_H
#define VIREO_NET_PKT_H

#include "kernel/lib/types.h"
#include "kernel/lib/list.h"

/* virtio-net header (12) + Ethernet (14) + IPv4 (60) + TCP (60), rounded. */
#define PKT_HEADROOM 160

struct net_device;

struct pkt {
	struct list_node node;          /* in whichever queue owns it */
	struct net_device *dev;         /* received on / to be sent on */
	u8 *data;                       /* first byte in use */
	u32 len;                        /* bytes in use */
	u32 size;                       /* bytes of buf */
	u8 *nh;                         /* input: the IPv4 header */
	u8 *th;                         /* input: the transport header */
	bool csum_valid;                /* the device verified L4 checksums */
	bool csum_partial;              /* output: device fills the L4 sum */
	bool link_bcast;                /* input: to a broadcast/multicast MAC */
	u16 csum_start;                 /* with csum_partial: from data */
	u16 csum_offset;                /* where the sum goes, from csum_start */
	u32 tcp_seq;                    /* TCP out-of-order queue: seq of data[0] */
	u8 buf[];
};

/* A buffer of size bytes with headroom reserved in front (data = buf +
 * headroom, len = 0), or NULL. Any context. */
struct pkt *pkt_alloc(u32 size, u32 headroom);
void pkt_free(struct pkt *p);
/* A copy of p with its own buffer (same headroom), or NULL. */
struct pkt *pkt_clone(const struct pkt *p);

static inline u32 pkt_headroom(const struct pkt *p)
{
	return (u32)(p->data - p->buf);
}

static inline u32 pkt_tailroom(const struct pkt *p)
{
	return p->size - pkt_headroom(p) - p->len;
}

/* Prepend n bytes (the caller checked pkt_headroom). */
static inline u8 *pkt_push(struct pkt *p, u32 n)
{
	p->data -= n;
	p->len += n;
	return p->data;
}

/* Drop n bytes from the front (the caller checked p->len >= n). */
static inline u8 *pkt_pull(struct pkt *p, u32 n)
{
	p->data += n;
	p->len -= n;
	return p->data;
}

/* Append n bytes (the caller checked pkt_tailroom); returns where. */
static inline u8 *pkt_put(struct pkt *p, u32 n)
{
	u8 *t = p->data + p->len;

	p->len += n;
	return t;
}

static inline void pkt_trim(struct pkt *p, u32 len)
{
	if (len < p->len)
		p->len = len;
}

#endif
