/*
 * virtio-pci, modern interface (virtio 1.2 §4.1): the transport layer.
 *
 * It finds the virtio vendor capabilities (§4.1.4: common, notify, ISR,
 * device config), maps them through pci_iomap, gives each queue its ring
 * memory, notify address and MSI-X vector (one per queue, plus one for
 * configuration changes, §4.1.5.1.2), and implements struct
 * virtio_transport for the core. Structure layouts come from
 * <linux/virtio_pci.h>.
 *
 * A device is not trusted: capability offsets and lengths are checked
 * against their BARs, a notify offset outside the notify region fails the
 * queue, a vector the device refuses (VIRTIO_MSI_NO_VECTOR read back)
 * fails the queue.
 */
#include "virtio/virtio.h"
#include "pci/pci.h"
#include "kernel/arch/x86_64/irq.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/pmm.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/err.h"
#include "kernel/lib/log.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/time/clock.h"
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>

#define VPCI_VENDOR        0x1af4
#define VPCI_MODERN_BASE   0x1040       /* device id = 0x1040 + virtio id */
#define VPCI_INDIRECT_MAX  32           /* descriptors per indirect table */

struct vpci_queue {
	struct vq *vq;
	void *ring;
	unsigned ring_order;
	void *indirect;
	unsigned indirect_order;
	void *bookkeeping;
	volatile u16 *notify;
	u16 index;
	int vector;                     /* -1 without MSI-X */
	char name[24];
	void (*callback)(struct vq *, void *);
	void *cb_arg;
};

struct vpci_dev {
	struct virtio_device vd;
	struct pci_dev *pdev;
	volatile struct virtio_pci_common_cfg *common;
	volatile u8 *isr;
	volatile u8 *devcfg;
	u32 devcfg_len;
	volatile u8 *notify_base;
	u32 notify_len;
	u32 notify_mult;
	u16 nr_queues;
	struct vpci_queue *queues;      /* nr_queues entries */
	bool msix;
	int config_vector;              /* MSI-X entry 0, or the MSI vector */
};

static struct vpci_dev *to_vpci(struct virtio_device *vd)
{
	return container_of(vd, struct vpci_dev, vd);
}

/* ---- struct virtio_transport ------------------------------------------------ */

static u8 vpci_get_status(struct virtio_device *vd)
{
	return to_vpci(vd)->common->device_status;
}

static void vpci_set_status(struct virtio_device *vd, u8 s)
{
	/* §4.1.4.3.2: writing 0 is a reset; use vpci_reset for that. */
	to_vpci(vd)->common->device_status = s;
}

static int vpci_reset(struct virtio_device *vd)
{
	struct vpci_dev *v = to_vpci(vd);

	v->common->device_status = 0;
	/* §4.1.4.3.2: reset is complete when device_status reads 0. A device
	 * that never finishes is reported, not waited for forever. */
	for (int i = 0; i < 100000; i++) {
		if (v->common->device_status == 0) {
			/* Reset also forgets the configuration-change vector
			 * (§4.1.5.1.2: back to NO_VECTOR); give it back. */
			if (v->msix)
				v->common->msix_config = 0;
			return 0;
		}
		udelay(10);
	}
	pr_err("%s: device did not finish reset\n", vd->dev.name);
	return -EIO;
}

static u64 vpci_get_features(struct virtio_device *vd)
{
	volatile struct virtio_pci_common_cfg *c = to_vpci(vd)->common;
	u64 f;

	c->device_feature_select = 0;
	f = c->device_feature;
	c->device_feature_select = 1;
	return f | ((u64)c->device_feature << 32);
}

static void vpci_set_features(struct virtio_device *vd, u64 f)
{
	volatile struct virtio_pci_common_cfg *c = to_vpci(vd)->common;

	c->guest_feature_select = 0;
	c->guest_feature = (u32)f;
	c->guest_feature_select = 1;
	c->guest_feature = (u32)(f >> 32);
}

static u32 vpci_generation(struct virtio_device *vd)
{
	return to_vpci(vd)->common->config_generation;
}

static void vpci_read_config(struct virtio_device *vd, unsigned off, void *buf,
			     unsigned len)
{
	struct vpci_dev *v = to_vpci(vd);
	u8 *out = buf;

	for (unsigned i = 0; i < len; i++)
		out[i] = off + i < v->devcfg_len ? v->devcfg[off + i] : 0xff;
}

static void vpci_write_config(struct virtio_device *vd, unsigned off,
			      const void *buf, unsigned len)
{
	struct vpci_dev *v = to_vpci(vd);
	const u8 *in = buf;

	for (unsigned i = 0; i < len && off + i < v->devcfg_len; i++)
		v->devcfg[off + i] = in[i];
}

static void vpci_notify(struct vq *vq, void *arg)
{
	struct vpci_queue *q = arg;

	/* §4.1.5.2: the queue index written to its notify address. The
	 * ring updates were ordered before this by the virtqueue layer. */
	*q->notify = q->index;
}

static void vpci_queue_irq(void *arg)
{
	struct vpci_queue *q = arg;

	vq_interrupt(q->vq);
}

static void *vpci_alloc_dma(size_t size, unsigned *order, u64 *dma)
{
	phys_addr_t p;

	*order = 0;
	while (((size_t)PAGE_SIZE << *order) < size)
		(*order)++;
	p = pmm_alloc(*order);
	if (!p)
		return NULL;
	*dma = p;
	memset(phys_to_virt(p), 0, PAGE_SIZE << *order);
	return phys_to_virt(p);
}

static void vpci_free_queue(struct vpci_dev *v, unsigned i)
{
	struct vpci_queue *q = &v->queues[i];

	if (q->vector >= 0)
		pci_msix_release(v->pdev, i + 1, q->vector);
	if (q->ring)
		pmm_free(virt_to_phys(q->ring), q->ring_order);
	if (q->indirect)
		pmm_free(virt_to_phys(q->indirect), q->indirect_order);
	kfree(q->bookkeeping);
	memset(q, 0, sizeof(*q));
	q->vector = -1;
}

static struct vq *vpci_setup_vq(struct virtio_device *vd, unsigned index,
				u16 max_num, const char *name,
				void (*callback)(struct vq *, void *), void *cb_arg)
{
	struct vpci_dev *v = to_vpci(vd);
	volatile struct virtio_pci_common_cfg *c = v->common;
	struct vq_config cfg = { 0 };
	struct vpci_queue *q;
	u64 ring_dma, ind_dma = 0;
	u32 noff;
	u16 num;
	int err = -EIO;

	if (index >= v->nr_queues)
		return ERR_PTR(-ENOENT);
	q = &v->queues[index];
	c->queue_select = (u16)index;
	num = c->queue_size;
	if (!num)
		return ERR_PTR(-ENOENT);
	if (max_num && num > max_num)
		num = max_num;
	if (num & (num - 1)) {
		pr_err("%s: queue %u size %u is not a power of two\n",
		       vd->dev.name, index, num);
		return ERR_PTR(-EIO);
	}
	ksnprintf(q->name, sizeof(q->name), "%s.%u", vd->dev.name, index);
	q->index = (u16)index;
	q->callback = callback;
	q->cb_arg = cb_arg;

	q->ring = vpci_alloc_dma(vq_ring_size(num), &q->ring_order, &ring_dma);
	if (!q->ring)
		goto out_nomem;
	if (virtio_has_feature(vd, VIRTIO_RING_F_INDIRECT_DESC) && num >= 2) {
		cfg.indirect_tables = num;
		cfg.indirect_max = MIN(num, VPCI_INDIRECT_MAX);
		q->indirect = vpci_alloc_dma((size_t)cfg.indirect_tables *
					     cfg.indirect_max * 16,
					     &q->indirect_order, &ind_dma);
		if (!q->indirect)
			cfg.indirect_tables = 0;
	}
	q->bookkeeping = kmalloc(vq_mem_size(num, cfg.indirect_tables), GFP_KERNEL);
	if (!q->bookkeeping)
		goto out_nomem;

	cfg.name = q->name;
	cfg.num = num;
	cfg.features = vd->features;
	cfg.ring = q->ring;
	cfg.ring_dma = ring_dma;
	cfg.indirect = q->indirect;
	cfg.indirect_dma = ind_dma;
	cfg.notify = vpci_notify;
	cfg.notify_arg = q;
	cfg.callback = callback;
	cfg.cb_arg = cb_arg;
	q->vq = vq_create(&cfg, q->bookkeeping);
	if (IS_ERR(q->vq)) {
		err = (int)PTR_ERR(q->vq);
		q->vq = NULL;
		goto out_free;
	}

	/* §4.1.5.1.3: the notify address, checked against the region. */
	noff = (u32)c->queue_notify_off * v->notify_mult;
	if (noff + 2 > v->notify_len) {
		pr_err("%s: queue %u notify offset %#x outside the notify region\n",
		       vd->dev.name, index, noff);
		goto out_free;
	}
	q->notify = (volatile u16 *)(v->notify_base + noff);

	if (v->msix) {
		q->vector = pci_msix_request(v->pdev, index + 1, vpci_queue_irq, q,
					     q->name);
		if (q->vector < 0) {
			err = q->vector;
			q->vector = -1;
			goto out_free;
		}
		c->queue_msix_vector = (u16)(index + 1);
		if (c->queue_msix_vector != index + 1) {
			pr_err("%s: device refused MSI-X entry for queue %u\n",
			       vd->dev.name, index);
			goto out_free;
		}
	}
	c->queue_size = num;
	c->queue_desc_lo = (u32)vq_desc_dma(q->vq);
	c->queue_desc_hi = (u32)(vq_desc_dma(q->vq) >> 32);
	c->queue_avail_lo = (u32)vq_avail_dma(q->vq);
	c->queue_avail_hi = (u32)(vq_avail_dma(q->vq) >> 32);
	c->queue_used_lo = (u32)vq_used_dma(q->vq);
	c->queue_used_hi = (u32)(vq_used_dma(q->vq) >> 32);
	c->queue_enable = 1;
	return q->vq;

out_nomem:
	err = -ENOMEM;
out_free:
	vpci_free_queue(v, index);
	return ERR_PTR(err);
}

static void vpci_del_vqs(struct virtio_device *vd)
{
	struct vpci_dev *v = to_vpci(vd);

	for (unsigned i = 0; i < v->nr_queues; i++)
		vpci_free_queue(v, i);
}

static u64 vpci_vq_irq_count(struct virtio_device *vd, unsigned index)
{
	struct vpci_dev *v = to_vpci(vd);

	if (index >= v->nr_queues || v->queues[index].vector < 0)
		return 0;
	return irq_vector_count(v->queues[index].vector);
}

static int vpci_set_vq_affinity(struct virtio_device *vd, unsigned index, u32 cpu)
{
	struct vpci_dev *v = to_vpci(vd);

	if (index >= v->nr_queues)
		return -EINVAL;
	if (v->queues[index].vector < 0)
		return -EOPNOTSUPP;
	return pci_msix_set_affinity(v->pdev, index + 1, v->queues[index].vector, cpu);
}

static unsigned vpci_num_queues(struct virtio_device *vd)
{
	return to_vpci(vd)->nr_queues;
}

static const struct virtio_transport vpci_transport = {
	.get_status = vpci_get_status,
	.set_status = vpci_set_status,
	.reset = vpci_reset,
	.get_features = vpci_get_features,
	.set_features = vpci_set_features,
	.config_generation = vpci_generation,
	.read_config = vpci_read_config,
	.write_config = vpci_write_config,
	.setup_vq = vpci_setup_vq,
	.del_vqs = vpci_del_vqs,
	.vq_irq_count = vpci_vq_irq_count,
	.num_queues = vpci_num_queues,
	.set_vq_affinity = vpci_set_vq_affinity,
};

/* ---- the PCI driver ------------------------------------------------------------ */

/* Map one capability's structure, checked against its BAR. */
static volatile u8 *vpci_map_cap(struct pci_dev *pd, u8 cap, u32 *len_out)
{
	u8 bar = pci_read8(pd, cap + offsetof(struct virtio_pci_cap, bar));
	u32 off = pci_read32(pd, cap + offsetof(struct virtio_pci_cap, offset));
	u32 len = pci_read32(pd, cap + offsetof(struct virtio_pci_cap, length));
	volatile u8 *p = pci_iomap(pd, bar, off, len);

	if (!p)
		pr_err("pci %s: virtio capability at %#x: BAR %u offset %#x length %#x "
		       "is not mappable\n", pd->dev.name, cap, bar, off, len);
	if (len_out)
		*len_out = len;
	return p;
}

static void vpci_config_irq(void *arg)
{
	struct vpci_dev *v = arg;
	struct virtio_driver *drv;

	if (!v->vd.dev.driver)
		return;
	drv = container_of(v->vd.dev.driver, struct virtio_driver, driver);
	if (drv->config_changed)
		drv->config_changed(&v->vd);
}

static int vpci_probe(struct pci_dev *pd, const struct pci_device_id *id)
{
	struct vpci_dev *v;
	u8 cap = 0;
	u32 len;
	int err;

	if (pd->device < 0x1000 || pd->device > 0x107f)
		return -ENODEV;
	v = kzalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	v->pdev = pd;
	err = pci_enable_device(pd);
	if (err)
		goto out_free;
	pci_set_master(pd);

	/* §4.1.4: the first capability of each type that we can use wins. */
	while ((cap = pci_find_capability(pd, PCI_CAP_ID_VNDR, cap))) {
		u8 type = pci_read8(pd, cap + offsetof(struct virtio_pci_cap, cfg_type));

		if (type == VIRTIO_PCI_CAP_COMMON_CFG && !v->common) {
			v->common = (void *)vpci_map_cap(pd, cap, &len);
			if (v->common && len < sizeof(struct virtio_pci_common_cfg))
				v->common = NULL;
		} else if (type == VIRTIO_PCI_CAP_NOTIFY_CFG && !v->notify_base) {
			v->notify_base = vpci_map_cap(pd, cap, &v->notify_len);
			v->notify_mult = pci_read32(pd, cap +
				offsetof(struct virtio_pci_notify_cap, notify_off_multiplier));
		} else if (type == VIRTIO_PCI_CAP_ISR_CFG && !v->isr) {
			v->isr = vpci_map_cap(pd, cap, NULL);
		} else if (type == VIRTIO_PCI_CAP_DEVICE_CFG && !v->devcfg) {
			v->devcfg = vpci_map_cap(pd, cap, &v->devcfg_len);
		}
	}
	if (!v->common || !v->notify_base || !v->isr) {
		pr_err("pci %s: virtio device without the modern capabilities\n",
		       pd->dev.name);
		err = -ENODEV;
		goto out_disable;
	}

	v->nr_queues = v->common->num_queues;
	v->queues = kzalloc(sizeof(*v->queues) * (v->nr_queues ? v->nr_queues : 1),
			    GFP_KERNEL);
	if (!v->queues) {
		err = -ENOMEM;
		goto out_disable;
	}
	for (unsigned i = 0; i < v->nr_queues; i++)
		v->queues[i].vector = -1;

	/* One MSI-X entry for config changes and one per queue. */
	if (pci_msix_enable(pd, v->nr_queues + 1) > 0) {
		v->config_vector = pci_msix_request(pd, 0, vpci_config_irq, v, "virtio-config");
		if (v->config_vector >= 0) {
			v->msix = true;
			v->common->msix_config = 0;
		}
	}
	if (!v->msix)
		pr_warn("pci %s: no MSI-X; virtio queues will not interrupt\n",
			pd->dev.name);

	v->vd.id = pd->device >= VPCI_MODERN_BASE ? pd->device - VPCI_MODERN_BASE :
						    pd->subsystem_device;
	v->vd.vendor = pd->subsystem_vendor;
	v->vd.t = &vpci_transport;
	v->vd.dev.parent = &pd->dev;
	pd->dev.driver_data = v;
	pr_info("pci %s: virtio device type %u, %u queues, %s\n", pd->dev.name,
		v->vd.id, v->nr_queues, v->msix ? "MSI-X" : "no interrupts");
	err = virtio_add_device(&v->vd);
	if (!err)
		return 0;
	if (v->msix)
		pci_msix_release(pd, 0, v->config_vector);
	pci_msix_disable(pd);
	kfree(v->queues);
out_disable:
	pci_disable_device(pd);
out_free:
	kfree(v);
	return err;
}

static void vpci_remove(struct pci_dev *pd)
{
	struct vpci_dev *v = pd->dev.driver_data;

	virtio_del_device(&v->vd);
	if (v->msix)
		pci_msix_release(pd, 0, v->config_vector);
	pci_msix_disable(pd);
	pci_disable_device(pd);
	kfree(v->queues);
	kfree(v);
}

static const struct pci_device_id vpci_ids[] = {
	{ VPCI_VENDOR, PCI_ANY_ID, 0, 0 },
	{ 0 }
};

static struct pci_driver vpci_driver = {
	.driver.name = "virtio-pci",
	.id_table = vpci_ids,
	.probe = vpci_probe,
	.remove = vpci_remove,
};

int virtio_pci_init(void)
{
	return pci_register_driver(&vpci_driver);
}
