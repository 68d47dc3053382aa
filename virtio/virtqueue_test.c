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

/* ---- EVENT_IDX at the 16-bit wrap (virtio 1.2 §2.7.10) ---- */

/* Move both indices to idx with one-element requests, each added, used
 * and collected in turn. Returns 0, or -1 if the queue misbehaved. */
static int kt_advance_to(u16 idx)
{
	static u8 byte;
	struct vq_buf buf = { KT_DMA(&byte), 1, true };
	u32 len;
	int status;

	while (kt_vq.dev.avail->idx != idx) {
		if (vq_add(kt_vq.vq, &buf, 1, &byte) || kt_device_use_one(0) != 1 ||
		    vq_get_buf(kt_vq.vq, &len, &status) != &byte)
			return -1;
	}
	vq_kick_prepare(kt_vq.vq);      /* the batch so far is checked */
	return 0;
}

/* Add n one-element requests and say whether the batch needs a kick,
 * with the device's avail_event at event. */
static bool kt_batch_kicks(unsigned int n, u16 event)
{
	static u8 byte;
	struct vq_buf buf = { KT_DMA(&byte), 1, true };

	vring_avail_event(&kt_vq.dev) = event;
	for (unsigned int i = 0; i < n; i++)
		if (vq_add(kt_vq.vq, &buf, 1, &byte))
			return false;
	return vq_kick_prepare(kt_vq.vq);
}

/* Collect everything the device used, for the next batch. */
static void kt_drain(void)
{
	u32 len;
	int status;

	while (kt_device_use_one(0) >= 0)
		;
	while (vq_get_buf(kt_vq.vq, &len, &status))
		;
}

/* A batch that takes avail->idx from 65534 over the wrap to 1 kicks if
 * and only if the device's avail_event is one of the entries it made
 * available (65534, 65535, 0), whichever side of the wrap. */
KTEST(vq_event_idx_kick_across_wrap)
{
	static const struct { u16 event; bool kick; } cases[] = {
		{ 65533, false },       /* already passed before the batch */
		{ 65534, true },        /* the batch's first entry */
		{ 65535, true },
		{ 0, true },            /* its last, past the wrap */
		{ 1, false },           /* the next batch's first */
		{ 32768, false },       /* far away */
	};

	KT_ASSERT_EQ(kt_setup(1ull << VIRTIO_RING_F_EVENT_IDX), 0);
	KT_ASSERT_EQ(kt_advance_to(65534), 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		/* Back to 65534 each time: a full lap of 65536. */
		if (i)
			KT_ASSERT_EQ(kt_advance_to(65534), 0);
		if (kt_batch_kicks(3, cases[i].event) != cases[i].kick) {
			ktest_fail(kt, __FILE__, __LINE__, "avail_event %u: kick %d, want %d",
				   cases[i].event, !cases[i].kick, cases[i].kick);
			return;
		}
		KT_ASSERT_EQ(kt_vq.dev.avail->idx, 1);
		kt_drain();
	}
}

/* Without EVENT_IDX the device's NO_NOTIFY flag decides instead, and the
 * avail_event field is not looked at. */
KTEST(vq_no_event_idx_kick_by_flag)
{
	KT_ASSERT_EQ(kt_setup(0), 0);
	KT_ASSERT(kt_batch_kicks(2, 1));
	kt_drain();
	kt_vq.dev.used->flags = VRING_USED_F_NO_NOTIFY;
	KT_ASSERT(!kt_batch_kicks(2, 2));
	kt_drain();
	kt_vq.dev.used->flags = 0;
	KT_ASSERT(kt_batch_kicks(1, 0));
	kt_drain();
}

/* used_event around the wrap: disabled it sits one behind the next entry
 * to collect (65535 when that is 0), enabled at it, delayed three
 * quarters of the requests in flight ahead of it; collecting inside the
 * delay leaves it, collecting past it moves it to the next entry. */
KTEST(vq_event_idx_used_event_across_wrap)
{
	static u8 byte;
	struct vq_buf buf = { KT_DMA(&byte), 1, true };
	u16 *used_event;
	u32 len;
	int status;

	KT_ASSERT_EQ(kt_setup(1ull << VIRTIO_RING_F_EVENT_IDX), 0);
	used_event = &vring_used_event(&kt_vq.dev);
	/* A fresh queue: the next entry to collect is 0. */
	vq_disable_cb(kt_vq.vq);
	KT_ASSERT_EQ(*used_event, 65535);
	KT_ASSERT(vq_enable_cb(kt_vq.vq));
	KT_ASSERT_EQ(*used_event, 0);

	KT_ASSERT_EQ(kt_advance_to(65534), 0);
	for (int i = 0; i < KT_NUM; i++)
		KT_ASSERT_EQ(vq_add(kt_vq.vq, &buf, 1, &byte), 0);
	/* 4 in flight: wait for 3, so used_event = 65534 + 3 = 1. */
	KT_ASSERT(vq_enable_cb_delayed(kt_vq.vq));
	KT_ASSERT_EQ(*used_event, 1);
	/* Collecting two (to 0) leaves the event where it is. */
	for (int i = 0; i < 2; i++) {
		KT_ASSERT_EQ(kt_device_use_one(0), 1);
		KT_ASSERT(vq_get_buf(kt_vq.vq, &len, &status) == &byte);
	}
	KT_ASSERT_EQ(*used_event, 1);
	/* The device uses two more (1 and 2, past the event): an enable now
	 * reports them, since their interrupt may have gone already. */
	KT_ASSERT_EQ(kt_device_use_one(0), 1);
	KT_ASSERT_EQ(kt_device_use_one(0), 1);
	KT_ASSERT(vq_enable_cb(kt_vq.vq) == false);
	/* Collecting them moves the event along to the next entry, 2. */
	KT_ASSERT(vq_get_buf(kt_vq.vq, &len, &status) == &byte);
	KT_ASSERT(vq_get_buf(kt_vq.vq, &len, &status) == &byte);
	KT_ASSERT_EQ(*used_event, 2);
	KT_ASSERT(vq_enable_cb(kt_vq.vq));
}

/* vq_enable_cb_delayed() reports buffers used beyond its wait, which the
 * device may have passed without an interrupt. */
KTEST(vq_enable_cb_delayed_sees_late_buffers)
{
	static u8 byte;
	struct vq_buf buf = { KT_DMA(&byte), 1, true };

	KT_ASSERT_EQ(kt_setup(1ull << VIRTIO_RING_F_EVENT_IDX), 0);
	KT_ASSERT_EQ(kt_advance_to(65535), 0);
	for (int i = 0; i < KT_NUM; i++)
		KT_ASSERT_EQ(vq_add(kt_vq.vq, &buf, 1, &byte), 0);
	for (int i = 0; i < KT_NUM; i++)
		KT_ASSERT_EQ(kt_device_use_one(0), 1);
	KT_ASSERT(!vq_enable_cb_delayed(kt_vq.vq));
	kt_drain();
	/* Without EVENT_IDX it is vq_enable_cb(): the flag, cleared. */
	KT_ASSERT_EQ(kt_setup(0), 0);
	KT_ASSERT_EQ(vq_add(kt_vq.vq, &buf, 1, &byte), 0);
	vq_disable_cb(kt_vq.vq);
	KT_ASSERT_EQ(kt_vq.dev.avail->flags, VRING_AVAIL_F_NO_INTERRUPT);
	KT_ASSERT(vq_enable_cb_delayed(kt_vq.vq));
	KT_ASSERT_EQ(kt_vq.dev.avail->flags, 0);
}
