/*
 * The feature handshake on QEMU's devices (run by name from
 * tests/integration/test_event_idx.py, which boots with and without the
 * devices' event_idx property). Lines starting with "VIRTIOTEST" are read
 * by the host side.
 */
#include "kernel/lib/log.h"
#include "kernel/test/ktest.h"
#include "virtio/virtio.h"
#include <linux/virtio_ring.h>

/* Every device bound to a driver negotiated VIRTIO_RING_F_EVENT_IDX
 * exactly when the device offered it (whatever the driver), and nothing
 * the device did not offer. */
KTEST_MANUAL(virtio_event_idx_negotiated)
{
	struct device *d = NULL;
	int bound = 0, bad = 0;

	device_read_lock();
	while ((d = bus_next_device(&virtio_bus, d))) {
		struct virtio_device *vd = to_virtio_device(d);
		bool offered = vd->device_features & (1ULL << VIRTIO_RING_F_EVENT_IDX);
		bool used = virtio_has_feature(vd, VIRTIO_RING_F_EVENT_IDX);

		if (!d->driver)
			continue;
		bound++;
		pr_info("VIRTIOTEST %s id=%u driver=%s event_idx offered=%d negotiated=%d\n",
			d->name, vd->id, d->driver->name, offered, used);
		if (offered != used || (vd->features & ~vd->device_features))
			bad++;
	}
	device_read_unlock();
	KT_ASSERT(bound > 0);
	KT_ASSERT_EQ(bad, 0);
}
