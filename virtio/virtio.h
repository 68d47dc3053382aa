/*
 * The virtio core: the virtio bus of the device model, feature
 * negotiation and the device-status handshake (virtio 1.2 §3.1.1), shared
 * by every transport and every driver.
 *
 * Layers (DESIGN.md): virtqueue (virtio/virtqueue.h, ring logic) ->
 * transport (virtio/pci.c: capabilities, notify, MSI-X; it implements
 * struct virtio_transport) -> driver (rng.c, blk.c: adds buffers, kicks,
 * collects) -> consumer. A driver never touches a BAR.
 */
#ifndef VIREO_VIRTIO_VIRTIO_H
#define VIREO_VIRTIO_VIRTIO_H

#include "kernel/device/device.h"
#include "kernel/lib/types.h"
#include "virtio/virtqueue.h"
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>

struct virtio_device;

/* What a transport provides. Config space accesses are little-endian
 * fields at byte offsets of the device-specific configuration. */
struct virtio_transport {
	u8 (*get_status)(struct virtio_device *vd);
	void (*set_status)(struct virtio_device *vd, u8 status);
	/* Waits for status 0; -EIO if the device never gets there. */
	int (*reset)(struct virtio_device *vd);
	u64 (*get_features)(struct virtio_device *vd);
	void (*set_features)(struct virtio_device *vd, u64 features);
	u32 (*config_generation)(struct virtio_device *vd);
	void (*read_config)(struct virtio_device *vd, unsigned off, void *buf,
			    unsigned len);
	void (*write_config)(struct virtio_device *vd, unsigned off,
			     const void *buf, unsigned len);
	/* Set up queue `index` with at most max_num entries (0: the
	 * device's maximum); callback runs from its interrupt. */
	struct vq *(*setup_vq)(struct virtio_device *vd, unsigned index,
			       u16 max_num, const char *name,
			       void (*callback)(struct vq *, void *), void *cb_arg);
	/* Tear down every queue; the device must have been reset. */
	void (*del_vqs)(struct virtio_device *vd);
	/* Interrupts taken for queue index (MSI-X vector counts). */
	u64 (*vq_irq_count)(struct virtio_device *vd, unsigned index);
	unsigned (*num_queues)(struct virtio_device *vd);
	/* Take queue index's interrupts on cpu (multiqueue drivers put a
	 * queue's completions on the CPU that submits to it); -EOPNOTSUPP
	 * without a per-queue vector. */
	int (*set_vq_affinity)(struct virtio_device *vd, unsigned index, u32 cpu);
};

struct virtio_device {
	struct device dev;              /* "virtio0", parent: the PCI device */
	u32 id;                         /* VIRTIO_ID_* */
	u32 vendor;                     /* subsystem vendor */
	u64 device_features;            /* what the device offered */
	u64 features;                   /* negotiated */
	const struct virtio_transport *t;
	void *transport_data;
	void *priv;                     /* the driver's */
};

struct virtio_driver {
	struct device_driver driver;
	const u32 *ids;                 /* device types, 0-terminated */
	/* Feature bits this driver implements (VERSION_1 and the ring's
	 * EVENT_IDX are always asked). */
	const unsigned *features;
	unsigned nr_features;
	int (*probe)(struct virtio_device *vd);
	void (*remove)(struct virtio_device *vd);
	void (*config_changed)(struct virtio_device *vd);
};

static inline struct virtio_device *to_virtio_device(struct device *d)
{
	return container_of(d, struct virtio_device, dev);
}

static inline bool virtio_has_feature(const struct virtio_device *vd, unsigned bit)
{
	return vd->features & (1ULL << bit);
}

extern struct bus_type virtio_bus;

void virtio_init(void);
int virtio_register_driver(struct virtio_driver *drv);

/* Transports: allocate a virtio_device (name assigned here) and add it. */
int virtio_add_device(struct virtio_device *vd);
void virtio_del_device(struct virtio_device *vd);

/* Drivers: set DRIVER_OK once the queues are set up, before using them
 * (§3.1.1 step 8); probe may do I/O after this. */
void virtio_device_ready(struct virtio_device *vd);
/* Config fields, read consistently across the generation counter
 * (§2.5.1: re-read until the generation did not change). */
void virtio_cread(struct virtio_device *vd, unsigned off, void *buf, unsigned len);

/* Transport and drivers, registered by kmain after pci_init(). */
int virtio_pci_init(void);
int virtio_rng_init(void);
int virtio_net_init(void);
/* Read len bytes straight from the first virtio-rng device (tests,
 * benchmarks); returns bytes read or a negative errno. */
int virtio_rng_read(void *out, size_t len, u64 timeout_us);
u64 virtio_rng_irq_count(void);

#endif
