/*
 * In-kernel checks of the virtqueue: the same code the host unit tests
 * exercise (tests/unit/test_virtqueue.c, with a full simulated device),
 * here built freestanding with the kernel's barriers and run on the
 * kernel's stack, with the device side played by hand.
 */
#include "virtio/virtqueue.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/test/ktest.h"
#include "kernel/arch/x86_64/layout.h"

#include <linux/virtio_ring.h>

#define KT_NUM 4

/* Device addresses are physical, and the device reaches them through the
 * direct map, as DMA would: a CPU pointer in a descriptor would fault. */
#define KT_DMA(p) virt_to_phys(p)

struct kt_vq {
	u8 ring[128] __aligned(16);
	u64 mem[128];
	struct vring_desc tables[2][KT_NUM] __aligned(16);
	struct vq *vq;
	struct vring dev;       /* the device's view */
	u16 last_avail;
	unsigned int kicks;
};

static struct kt_vq kt_vq;

static void kt_notify(struct vq *vq, void *arg)
{
	((struct kt_vq *)arg)->kicks++;
}

static void *kt_virt(u64 dma)
{
	return phys_to_virt(dma);
}

static int kt_setup(u64 features)
{
	struct kt_vq *k = &kt_vq;
	struct vq_config cfg = {
		.name = "ktest", .num = KT_NUM, .features = features,
		.ring = k->ring, .ring_dma = KT_DMA(k->ring),
		.notify = kt_notify, .notify_arg = k,
	};

	if (features & (1ull << VIRTIO_RING_F_INDIRECT_DESC)) {
		cfg.indirect = k->tables;
		cfg.indirect_dma = KT_DMA(k->tables);
		cfg.indirect_tables = 2;
		cfg.indirect_max = KT_NUM;
	}

	if (vq_ring_size(KT_NUM) > sizeof(k->ring) ||
	    vq_mem_size(KT_NUM, 2) > sizeof(k->mem))
		return -ENOSPC;
	k->vq = vq_create(&cfg, k->mem);
	if (IS_ERR(k->vq))
		return (int)PTR_ERR(k->vq);
	k->dev.num = KT_NUM;
	k->dev.desc = kt_virt(vq_desc_dma(k->vq));
	k->dev.avail = kt_virt(vq_avail_dma(k->vq));
	k->dev.used = kt_virt(vq_used_dma(k->vq));
	k->last_avail = 0;
	k->kicks = 0;
	return 0;
}

/* Device: take the next available chain and use it, writing a byte of
 * value `fill` into its first device-writable element. Returns the
 * number of elements, or -1 for none available. */
static int kt_device_use_one(u8 fill)
{
	struct kt_vq *k = &kt_vq;
	struct vring_desc *table = k->dev.desc;
	u16 head, i;
	int n = 0;
	u32 written = 0;

	if (READ_ONCE(k->dev.avail->idx) == k->last_avail)
		return -1;
	head = i = k->dev.avail->ring[k->last_avail++ % KT_NUM];
	if (table[i].flags & VRING_DESC_F_INDIRECT) {
		table = kt_virt(table[i].addr);
		i = 0;
	}
	for (;;) {
		n++;
		if ((table[i].flags & VRING_DESC_F_WRITE) && !written) {
			*(u8 *)kt_virt(table[i].addr) = fill;
			written = 1;
		}
		if (!(table[i].flags & VRING_DESC_F_NEXT) || n > KT_NUM)
			break;
		i = table[i].next;
	}
	k->dev.used->ring[k->dev.used->idx % KT_NUM].id = head;
	k->dev.used->ring[k->dev.used->idx % KT_NUM].len = written;
	__atomic_store_n(&k->dev.used->idx, k->dev.used->idx + 1, __ATOMIC_RELEASE);
	return n;
}

/* 70000 three-element requests through a queue of 4 with indirect tables
 * and EVENT_IDX: both 16-bit indices wrap, data and tokens come back. */
KTEST(vq_wraps_at_65535)
{
	u8 hdr = 0, data[2] = { 0, 0 };
	struct vq_buf bufs[3] = {
		{ KT_DMA(&hdr), 1, false },
		{ KT_DMA(&data[0]), 1, true },
		{ KT_DMA(&data[1]), 1, true },
	};
	u32 len;
	int status;

	KT_ASSERT_EQ(kt_setup((1ull << VIRTIO_RING_F_EVENT_IDX) |
			      (1ull << VIRTIO_RING_F_INDIRECT_DESC)), 0);
	for (u32 i = 0; i < 70000; i++) {
		void *token = (void *)(uintptr_t)(i + 1);

		KT_ASSERT_EQ(vq_add(kt_vq.vq, bufs, 3, token), 0);
		KT_ASSERT_EQ(vq_num_free(kt_vq.vq), KT_NUM - 1);
		vq_kick(kt_vq.vq);
		KT_ASSERT_EQ(kt_device_use_one((u8)i), 3);
		/* The device asks for a kick at the next entry. */
		vring_avail_event(&kt_vq.dev) = kt_vq.last_avail;
		KT_ASSERT(vq_get_buf(kt_vq.vq, &len, &status) == token);
		KT_ASSERT_EQ(status, 0);
		KT_ASSERT_EQ(len, 1);
		KT_ASSERT_EQ(data[0], (u8)i);
	}
	KT_ASSERT_EQ(kt_vq.dev.avail->idx, (u16)70000);
	KT_ASSERT_EQ(kt_vq.kicks, 70000);
	KT_ASSERT_EQ(vq_num_free(kt_vq.vq), KT_NUM);
}

/* A used entry naming a descriptor that is not in flight breaks the queue:
 * the outstanding requests come back with -EIO, adds fail, no panic. */
KTEST(vq_broken_device_fails_requests)
{
	u8 byte = 0;
	struct vq_buf buf = { KT_DMA(&byte), 1, true };
	u32 len;
	int status, failed = 0;
	void *token;

	KT_ASSERT_EQ(kt_setup(0), 0);
	KT_ASSERT_EQ(vq_add(kt_vq.vq, &buf, 1, (void *)1), 0);
	KT_ASSERT_EQ(vq_add(kt_vq.vq, &buf, 1, (void *)2), 0);
	KT_ASSERT(vq_kick(kt_vq.vq));
	kt_vq.dev.used->ring[0].id = KT_NUM + 7;
	__atomic_store_n(&kt_vq.dev.used->idx, 1, __ATOMIC_RELEASE);
	while ((token = vq_get_buf(kt_vq.vq, &len, &status))) {
		KT_ASSERT_EQ(status, -EIO);
		failed++;
	}
	KT_ASSERT_EQ(failed, 2);
	KT_ASSERT(vq_is_broken(kt_vq.vq));
	KT_ASSERT_EQ(vq_add(kt_vq.vq, &buf, 1, (void *)3), -EIO);
	KT_ASSERT(!vq_kick(kt_vq.vq));
}
