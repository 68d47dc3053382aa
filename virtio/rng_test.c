/* virtio-rng against QEMU's device (run by tests/integration/test_pci.py
 * with -device virtio-rng-pci; manual because it needs the device). */
#include "kernel/test/ktest.h"
#include "kernel/lib/random.h"
#include "kernel/lib/string.h"
#include "kernel/time/clock.h"
#include "virtio/virtio.h"

KTEST_MANUAL(virtio_rng_bytes_vary)
{
	u8 a[32], b[32];
	u64 irqs, deadline = ktime_get() + 2000000000ULL;
	int zeros = 0;

	/* The background feed fills the kernel pool by itself. */
	while (random_entropy_bits() < RANDOM_READY_BITS && ktime_get() < deadline)
		__asm__ __volatile__("pause");
	KT_ASSERT(random_entropy_bits() >= RANDOM_READY_BITS);
	irqs = virtio_rng_irq_count();

	KT_ASSERT_EQ(virtio_rng_read(a, sizeof(a), 2000000), sizeof(a));
	KT_ASSERT_EQ(virtio_rng_read(b, sizeof(b), 2000000), sizeof(b));
	KT_ASSERT(memcmp(a, b, sizeof(a)) != 0);
	for (size_t i = 0; i < sizeof(a); i++)
		zeros += a[i] == 0;
	KT_ASSERT(zeros < 8);
	/* Completions came by MSI-X interrupt on the queue's own vector. */
	KT_ASSERT(virtio_rng_irq_count() >= irqs + 2);
}
