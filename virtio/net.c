/*
 * virtio-net (virtio 1.2 §5.1): queue 0 receives, queue 1 transmits; the
 * control queue and multiqueue are not used. The driver plugs into the
 * network-device layer (net/netdev.h) and does nothing else: it keeps the
 * receive ring full of buffers, hands finished frames to the stack, and
 * puts the stack's frames on the transmit ring.
 *
 * Interrupts are taken NAPI-style: the receive interrupt masks itself
 * (vq_disable_cb) and asks the network thread to poll, which collects up
 * to a budget of frames and unmasks when the ring is empty, so a burst
 * costs one interrupt. Transmit completions are reclaimed when the next
 * frame is sent; the transmit interrupt is unmasked only while frames
 * wait in the backlog for ring space, and then (with EVENT_IDX) only for
 * when most of the ring is done, not for each frame.
 *
 * Kicks: the stack sends in bursts (netdev_tx_begin/end: a TCP window,
 * the acknowledgements for a poll's worth of frames) and says so with
 * xmit's `more`; the frames of a burst go on the ring at once and the
 * device is kicked once, at flush, or every VNET_TX_KICK_BATCH frames so
 * a long burst keeps the device busy meanwhile. EVENT_IDX (virtqueue.c)
 * then drops the kicks the device said it does not need.
 *
 * Every buffer starts with struct virtio_net_hdr_v1 (12 bytes: with
 * VIRTIO_F_VERSION_1 the header always has num_buffers, §5.1.6). With
 * VIRTIO_NET_F_MRG_RXBUF a large frame may span several receive buffers
 * (num_buffers); they are copied into one pkt. Checksum offload: with
 * VIRTIO_NET_F_CSUM the device fills TCP/UDP checksums we mark partial,
 * and with VIRTIO_NET_F_GUEST_CSUM it tells us which received checksums
 * it verified (DATA_VALID) or never computed (NEEDS_CSUM, traffic from
 * the host itself) so the stack skips summing those bytes. QEMU's user
 * networking offers neither (no vnet header on its backend); a tap or
 * vhost backend does.
 */
#include "virtio/virtio.h"
#include "net/netdev.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/err.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/sched/spinlock.h"
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#define VNET_RXQ 0
#define VNET_TXQ 1
#define VNET_QUEUE_MAX 256
/* A receive buffer and its pkt in one 2 KiB slab object (no page
 * crossing), with room for a 12-byte header and a full 1514-byte frame. */
#define VNET_RX_ALLOC 2048
#define VNET_RX_BUF   (VNET_RX_ALLOC - sizeof(struct pkt))
#define VNET_HDR_LEN  sizeof(struct virtio_net_hdr_v1)
#define VNET_BACKLOG_MAX 512
/* Frames queued without a kick before one is sent anyway. */
#define VNET_TX_KICK_BATCH 32

_Static_assert(sizeof(struct virtio_net_hdr_v1) == 12, "virtio-net header");
_Static_assert(VNET_RX_BUF >= 12 + ETH_FRAME_LEN, "receive buffer too small");

struct vnet {
	struct virtio_device *vd;
	struct net_device ndev;
	struct vq *rxq, *txq;
	struct spinlock rx_lock;        /* rxq */
	struct spinlock tx_lock;        /* txq, backlog, tx_backlog_len */
	u32 rx_posted;                  /* buffers on the ring, rx_lock */
	struct list_node tx_backlog;    /* struct pkt waiting for ring space */
	u32 tx_backlog_len;
	u32 tx_unkicked;                /* frames added since the last kick
	                                 * check, tx_lock */
	bool mrg_rxbuf;
	u64 rx_merged;                  /* frames that spanned buffers */
};

static struct vnet *to_vnet(struct net_device *nd)
{
	return container_of(nd, struct vnet, ndev);
}

/* ---- receive ---- */

static void vnet_rx_irq(struct vq *vq, void *arg)
{
	struct vnet *n = arg;
	unsigned long f = spin_lock_irqsave(&n->rx_lock);

	vq_disable_cb(vq);
	spin_unlock_irqrestore(&n->rx_lock, f);
	netdev_schedule(&n->ndev);
}

/* Post receive buffers until the ring is full; true if any were added
 * (the caller kicks). rx_lock held. */
static bool vnet_rx_refill(struct vnet *n)
{
	bool added = false;

	while (vq_num_free(n->rxq)) {
		struct pkt *p = pkt_alloc(VNET_RX_BUF, 0);
		struct vq_buf b;

		if (!p) {
			net_count_drop(&n->ndev, NET_DROP_NOMEM);
			break;
		}
		b = (struct vq_buf){ virt_to_phys(p->data), VNET_RX_BUF, true };
		if (vq_add(n->rxq, &b, 1, p)) {
			pkt_free(p);
			break;
		}
		n->rx_posted++;
		added = true;
	}
	return added;
}

/* Append the num - 1 further buffers of a merged frame to p (a new,
 * larger pkt is returned), or NULL if they are missing. rx_lock held. */
static struct pkt *vnet_rx_merge(struct vnet *n, struct pkt *first, u16 num)
{
	struct pkt *bufs[16], *p;
	u32 lens[16], total = first->len;
	u16 got = 0;
	int status;

	if (num > ARRAY_SIZE(bufs) + 1)
		return NULL;
	while (got + 1 < num) {
		u32 len;
		struct pkt *b = vq_get_buf(n->rxq, &len, &status);

		if (!b)
			break;
		n->rx_posted--;
		if (status || len > VNET_RX_BUF) {
			pkt_free(b);
			continue;
		}
		bufs[got] = b;
		lens[got++] = len;
		total += len;
	}
	p = got + 1 == num ? pkt_alloc(total, 0) : NULL;
	if (p) {
		memcpy(pkt_put(p, first->len), first->data, first->len);
		for (u16 i = 0; i < got; i++)
			memcpy(pkt_put(p, lens[i]), bufs[i]->data, lens[i]);
		n->rx_merged++;
	}
	for (u16 i = 0; i < got; i++)
		pkt_free(bufs[i]);
	pkt_free(first);
	return p;
}

static int vnet_poll(struct net_device *nd, int budget)
{
	struct vnet *n = to_vnet(nd);
	struct list_node got = LIST_INIT(got);
	unsigned long f;
	int done = 0;
	struct pkt *p, *tmp;

	f = spin_lock_irqsave(&n->rx_lock);
	while (done < budget) {
		struct virtio_net_hdr_v1 *h;
		u32 len;
		int status;

		p = vq_get_buf(n->rxq, &len, &status);
		if (!p)
			break;
		n->rx_posted--;
		done++;
		if (status || len < VNET_HDR_LEN || len > VNET_RX_BUF) {
			net_count_drop(nd, status ? NET_DROP_NOMEM : NET_DROP_TRUNCATED);
			pkt_free(p);
			continue;
		}
		p->len = len;
		h = (struct virtio_net_hdr_v1 *)p->data;
		if (n->mrg_rxbuf && h->num_buffers > 1) {
			u8 flags = h->flags;

			p = vnet_rx_merge(n, p, h->num_buffers);
			if (!p) {
				net_count_drop(nd, NET_DROP_TRUNCATED);
				continue;
			}
			h = (struct virtio_net_hdr_v1 *)p->data;
			h->flags = flags;
		}
		/* §5.1.6.4.1: DATA_VALID, or NEEDS_CSUM (the host skipped the
		 * sum: the data never crossed a wire), both mean trusted. */
		p->csum_valid = h->flags & (VIRTIO_NET_HDR_F_DATA_VALID |
					    VIRTIO_NET_HDR_F_NEEDS_CSUM);
		pkt_pull(p, VNET_HDR_LEN);
		list_add_tail(&p->node, &got);
	}
	if (vnet_rx_refill(n))
		vq_kick(n->rxq);
	/* Ring drained: unmask; a frame that slipped in meanwhile means
	 * another pass (vq_enable_cb returns false). */
	if (done < budget && !vq_enable_cb(n->rxq)) {
		vq_disable_cb(n->rxq);
		done = budget;
	}
	spin_unlock_irqrestore(&n->rx_lock, f);

	list_for_each_entry_safe(p, tmp, &got, node) {
		list_del(&p->node);
		netdev_rx(nd, p);
	}
	return done;
}

/* ---- transmit ---- */

/* Free what the device finished sending. tx_lock held. */
static void vnet_tx_reclaim(struct vnet *n)
{
	struct pkt *p;
	u32 len;
	int status;

	while ((p = vq_get_buf(n->txq, &len, &status)))
		pkt_free(p);
}

/* Put p on the ring: 0, or -ENOSPC (ring full). tx_lock held. */
static int vnet_tx_add(struct vnet *n, struct pkt *p)
{
	struct vq_buf b = { virt_to_phys(p->data), p->len, false };

	return vq_add(n->txq, &b, 1, p);
}

/* Move backlog to the ring. tx_lock held. */
static void vnet_tx_flush_backlog(struct vnet *n)
{
	struct pkt *p, *tmp;

	list_for_each_entry_safe(p, tmp, &n->tx_backlog, node) {
		if (vnet_tx_add(n, p))
			return;
		list_del(&p->node);
		n->tx_backlog_len--;
	}
	vq_disable_cb(n->txq);
}

static void vnet_tx_irq(struct vq *vq, void *arg)
{
	struct vnet *n = arg;
	unsigned long f = spin_lock_irqsave(&n->tx_lock);

	vq_disable_cb(vq);
	spin_unlock_irqrestore(&n->tx_lock, f);
	netdev_schedule(&n->ndev);
}

/* Check for a kick after frames were added (vq_kick_prepare); the
 * caller sends it after dropping tx_lock. tx_lock held. */
static bool vnet_tx_kick_prepare(struct vnet *n)
{
	n->tx_unkicked = 0;
	return vq_kick_prepare(n->txq);
}

static int vnet_xmit(struct net_device *nd, struct pkt *p, bool more)
{
	struct vnet *n = to_vnet(nd);
	struct virtio_net_hdr_v1 *h;
	unsigned long f;
	bool kick;
	int err = 0;

	if (pkt_headroom(p) < VNET_HDR_LEN) {
		net_count_drop(nd, NET_DROP_NOMEM);
		pkt_free(p);
		return -ENOMEM;
	}
	h = (struct virtio_net_hdr_v1 *)pkt_push(p, VNET_HDR_LEN);
	memset(h, 0, sizeof(*h));
	if (p->csum_partial) {
		/* §5.1.6.2: the device sums from csum_start to the end and
		 * stores it at csum_start + csum_offset. */
		h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h->csum_start = p->csum_start;
		h->csum_offset = p->csum_offset;
	}
	f = spin_lock_irqsave(&n->tx_lock);
	vnet_tx_reclaim(n);
	if (!list_empty(&n->tx_backlog))
		vnet_tx_flush_backlog(n);
	if (!list_empty(&n->tx_backlog) || vnet_tx_add(n, p)) {
		if (n->tx_backlog_len >= VNET_BACKLOG_MAX || vq_is_broken(n->txq)) {
			err = -ENOBUFS;
		} else {
			/* Wait for ring space: the completion interrupt
			 * brings the network thread back to flush. */
			list_add_tail(&p->node, &n->tx_backlog);
			n->tx_backlog_len++;
			if (!vq_enable_cb_delayed(n->txq))
				netdev_schedule(nd);
		}
		/* A full ring: the device must hear of it now, more or not. */
		more = false;
	}
	n->tx_unkicked++;
	kick = (!more || n->tx_unkicked >= VNET_TX_KICK_BATCH) && vnet_tx_kick_prepare(n);
	spin_unlock_irqrestore(&n->tx_lock, f);
	if (kick)
		vq_notify(n->txq);
	if (err) {
		net_count_drop(nd, NET_DROP_TX_FULL);
		pkt_free(p);
	}
	return err;
}

/* The end of a burst: kick for what xmit queued with more. */
static void vnet_flush(struct net_device *nd)
{
	struct vnet *n = to_vnet(nd);
	unsigned long f = spin_lock_irqsave(&n->tx_lock);
	bool kick = vnet_tx_kick_prepare(n);

	spin_unlock_irqrestore(&n->tx_lock, f);
	if (kick)
		vq_notify(n->txq);
}

/* The network thread polls after a transmit interrupt too. */
static int vnet_poll_all(struct net_device *nd, int budget)
{
	struct vnet *n = to_vnet(nd);
	unsigned long f = spin_lock_irqsave(&n->tx_lock);
	bool kick;

	vnet_tx_reclaim(n);
	if (!list_empty(&n->tx_backlog)) {
		vnet_tx_flush_backlog(n);
		if (!list_empty(&n->tx_backlog) && !vq_enable_cb_delayed(n->txq))
			netdev_schedule(nd);
	}
	kick = vnet_tx_kick_prepare(n);
	spin_unlock_irqrestore(&n->tx_lock, f);
	if (kick)
		vq_notify(n->txq);
	return vnet_poll(nd, budget);
}

static const struct net_device_ops vnet_ops = {
	.xmit = vnet_xmit,
	.flush = vnet_flush,
	.poll = vnet_poll_all,
};

/* ---- device ---- */

static bool vnet_link_up(struct vnet *n)
{
	u16 status;

	if (!virtio_has_feature(n->vd, VIRTIO_NET_F_STATUS))
		return true;            /* §5.1.4: link assumed up */
	virtio_cread(n->vd, offsetof(struct virtio_net_config, status), &status,
		     sizeof(status));
	return status & VIRTIO_NET_S_LINK_UP;
}

static void vnet_config_changed(struct virtio_device *vd)
{
	struct vnet *n = vd->priv;
	bool up;

	if (!n)
		return;
	up = vnet_link_up(n);
	if (up != !!(n->ndev.flags & IFF_RUNNING))
		pr_info("net: %s: link %s\n", n->ndev.name, up ? "up" : "down");
	netdev_set_link(&n->ndev, up);
}

static int vnet_probe(struct virtio_device *vd)
{
	struct vnet *n = kzalloc(sizeof(*n), GFP_KERNEL);
	unsigned long f;
	int err;

	if (!n)
		return -ENOMEM;
	n->vd = vd;
	n->rx_lock = (struct spinlock)SPINLOCK_INIT("vnet-rx");
	n->tx_lock = (struct spinlock)SPINLOCK_INIT("vnet-tx");
	list_init(&n->tx_backlog);
	n->mrg_rxbuf = virtio_has_feature(vd, VIRTIO_NET_F_MRG_RXBUF);
	if (virtio_has_feature(vd, VIRTIO_NET_F_MAC)) {
		virtio_cread(vd, offsetof(struct virtio_net_config, mac), n->ndev.mac,
			     ETH_ALEN);
	} else {
		/* §5.1.5: no MAC given, the driver picks one; a locally
		 * administered unicast address. */
		static const u8 mac[ETH_ALEN] = { 0x02, 0x56, 0x49, 0x52, 0x45, 0x4f };

		memcpy(n->ndev.mac, mac, ETH_ALEN);
	}
	n->rxq = vd->t->setup_vq(vd, VNET_RXQ, VNET_QUEUE_MAX, "rx", vnet_rx_irq, n);
	if (IS_ERR(n->rxq)) {
		err = (int)PTR_ERR(n->rxq);
		goto out_free;
	}
	n->txq = vd->t->setup_vq(vd, VNET_TXQ, VNET_QUEUE_MAX, "tx", vnet_tx_irq, n);
	if (IS_ERR(n->txq)) {
		err = (int)PTR_ERR(n->txq);
		goto out_del_vqs;
	}
	vd->priv = n;
	n->ndev.ops = &vnet_ops;
	n->ndev.priv = n;
	n->ndev.hard_header_len = ETH_HLEN;
	n->ndev.mtu = ETH_DATA_LEN;
	n->ndev.flags = IFF_BROADCAST | IFF_MULTICAST;
	n->ndev.csum_tx = virtio_has_feature(vd, VIRTIO_NET_F_CSUM);
	/* §5.1.5: buffers may be added before DRIVER_OK; the device uses
	 * them from then on. */
	f = spin_lock_irqsave(&n->rx_lock);
	vnet_rx_refill(n);
	spin_unlock_irqrestore(&n->rx_lock, f);
	f = spin_lock_irqsave(&n->tx_lock);
	vq_disable_cb(n->txq);
	spin_unlock_irqrestore(&n->tx_lock, f);
	virtio_device_ready(vd);
	/* §3.1.1: no notifications before DRIVER_OK; now tell it. */
	f = spin_lock_irqsave(&n->rx_lock);
	vq_kick(n->rxq);
	spin_unlock_irqrestore(&n->rx_lock, f);
	if (vnet_link_up(n))
		n->ndev.flags |= IFF_RUNNING;
	err = netdev_register(&n->ndev, "eth");
	if (err)
		goto out_reset;
	pr_info("net: %s: virtio-net on %s, %s%s%s\n", n->ndev.name, vd->dev.name,
		n->mrg_rxbuf ? "mergeable rx buffers" : "rx buffers",
		n->ndev.csum_tx ? ", tx checksum offload" : "",
		virtio_has_feature(vd, VIRTIO_NET_F_GUEST_CSUM) ? ", rx checksum offload" : "");
	return 0;

out_reset:
	vd->t->reset(vd);
out_del_vqs:
	vd->t->del_vqs(vd);
out_free:
	vd->priv = NULL;
	kfree(n);
	return err;
}

static const u32 vnet_ids[] = { VIRTIO_ID_NET, 0 };
static const unsigned vnet_features[] = {
	VIRTIO_NET_F_MAC, VIRTIO_NET_F_STATUS, VIRTIO_NET_F_MRG_RXBUF,
	VIRTIO_NET_F_CSUM, VIRTIO_NET_F_GUEST_CSUM,
};

static struct virtio_driver vnet_driver = {
	.driver.name = "virtio_net",
	.ids = vnet_ids,
	.features = vnet_features,
	.nr_features = ARRAY_SIZE(vnet_features),
	.probe = vnet_probe,
	.config_changed = vnet_config_changed,
};

int virtio_net_init(void)
{
	return virtio_register_driver(&vnet_driver);
}
