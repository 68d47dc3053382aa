/*
 * virtio-rng (virtio 1.2 §5.4): one request queue; each request is a
 * device-writable buffer the device fills with entropy. The driver keeps
 * one request in flight and feeds each completion into the kernel pool
 * (kernel/lib/random.h), crediting 8 bits per byte as the device type
 * promises, until the pool is full; virtio_rng_read() serves tests and
 * benchmarks straight from the device.
 */
#include "virtio/virtio.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/err.h"
#include "kernel/lib/log.h"
#include "kernel/lib/random.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/sched/spinlock.h"
#include "kernel/time/clock.h"

#define VRNG_BUF_SIZE 64

struct vrng {
	struct virtio_device *vd;
	struct vq *vq;
	struct spinlock lock;           /* the queue and the fields below */
	u8 *buf;                        /* VRNG_BUF_SIZE, device-writable */
	bool busy;                      /* a request is in flight */
	bool feeding;                   /* completions go to the pool */
	u32 got;                        /* bytes of the last completion */
	u64 completions;
};

/* The first (and for now only) device, for virtio_rng_read(). */
static struct vrng *vrng_default;

/* Queue one request for the whole buffer. Caller holds the lock. */
static int vrng_submit_locked(struct vrng *r)
{
	struct vq_buf b = { virt_to_phys(r->buf), VRNG_BUF_SIZE, true };
	int err = vq_add(r->vq, &b, 1, r);

	if (err)
		return err;
	r->busy = true;
	vq_kick(r->vq);
	return 0;
}

static void vrng_done(struct vq *vq, void *arg)
{
	struct vrng *r = arg;
	unsigned long f = spin_lock_irqsave(&r->lock);
	u32 len;
	int status;

	while (vq_get_buf(vq, &len, &status)) {
		r->busy = false;
		r->completions++;
		r->got = status ? 0 : MIN(len, (u32)VRNG_BUF_SIZE);
		if (r->feeding && r->got) {
			random_add_entropy(r->buf, r->got, r->got * 8);
			if (random_entropy_bits() >= RANDOM_POOL_BITS)
				r->feeding = false;
		}
	}
	if (r->feeding && !r->busy && !vq_is_broken(vq))
		vrng_submit_locked(r);
	spin_unlock_irqrestore(&r->lock, f);
}

int virtio_rng_read(void *out, size_t len, u64 timeout_us)
{
	struct vrng *r = vrng_default;
	u64 deadline;
	unsigned long f;
	size_t done = 0;

	if (!r)
		return -ENODEV;
	while (done < len) {
		f = spin_lock_irqsave(&r->lock);
		r->feeding = false;
		if (r->busy) {
			spin_unlock_irqrestore(&r->lock, f);
		} else {
			r->got = 0;
			if (vrng_submit_locked(r)) {
				spin_unlock_irqrestore(&r->lock, f);
				return -EIO;
			}
			spin_unlock_irqrestore(&r->lock, f);
		}
		/* Completion arrives by interrupt; wait for it. */
		deadline = ktime_get() + timeout_us * 1000;
		while (READ_ONCE(r->busy)) {
			if (ktime_get() > deadline)
				return -ETIMEDOUT;
			__asm__ __volatile__("pause");
		}
		f = spin_lock_irqsave(&r->lock);
		if (r->got) {
			size_t n = MIN(len - done, (size_t)r->got);

			memcpy((u8 *)out + done, r->buf, n);
			done += n;
		}
		spin_unlock_irqrestore(&r->lock, f);
		if (vq_is_broken(r->vq))
			return -EIO;
	}
	return (int)done;
}

u64 virtio_rng_irq_count(void)
{
	struct vrng *r = vrng_default;

	return r ? r->vd->t->vq_irq_count(r->vd, 0) : 0;
}

static int vrng_probe(struct virtio_device *vd)
{
	struct vrng *r = kzalloc(sizeof(*r), GFP_KERNEL);
	unsigned long f;
	int err;

	if (!r)
		return -ENOMEM;
	r->buf = kmalloc(VRNG_BUF_SIZE, GFP_KERNEL);
	if (!r->buf) {
		err = -ENOMEM;
		goto out_free;
	}
	r->vd = vd;
	r->lock = (struct spinlock)SPINLOCK_INIT("virtio-rng");
	r->vq = vd->t->setup_vq(vd, 0, 0, "requests", vrng_done, r);
	if (IS_ERR(r->vq)) {
		err = (int)PTR_ERR(r->vq);
		goto out_free;
	}
	vd->priv = r;
	virtio_device_ready(vd);
	if (!vrng_default)
		vrng_default = r;
	/* Start filling the pool in the background. */
	f = spin_lock_irqsave(&r->lock);
	r->feeding = true;
	err = vrng_submit_locked(r);
	spin_unlock_irqrestore(&r->lock, f);
	pr_info("%s: virtio-rng feeding the entropy pool\n", vd->dev.name);
	return err;

out_free:
	kfree(r->buf);
	kfree(r);
	return err;
}

static void vrng_remove(struct virtio_device *vd)
{
	struct vrng *r = vd->priv;

	vd->t->reset(vd);
	vd->t->del_vqs(vd);
	if (vrng_default == r)
		vrng_default = NULL;
	kfree(r->buf);
	kfree(r);
}

static const u32 vrng_ids[] = { VIRTIO_ID_RNG, 0 };

static struct virtio_driver vrng_driver = {
	.driver.name = "virtio_rng",
	.ids = vrng_ids,
	.probe = vrng_probe,
	.remove = vrng_remove,
};

int virtio_rng_init(void)
{
	return virtio_register_driver(&vrng_driver);
}
