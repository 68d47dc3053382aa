/*
 * sysfs through the VFS, checked against the objects it is generated
 * from: the PCI devices and their config space, the virtio devices and
 * drivers, the CPUs, the block registry; and unbind/bind of a virtio-blk
 * disk through the driver's files (KTEST_MANUAL: tests/integration/
 * test_sysfs.py boots it with a disk).
 */
#include "fs/pseudofs/ktest_util.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/block/block.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/sched/kthread.h"
#include "kernel/sched/sched.h"
#include "kernel/test/ktest.h"
#include "kernel/time/clock.h"
#include "pci/pci.h"
#include "virtio/virtio.h"
#include "vfs/vfs.h"
#include <linux/magic.h>

#define SYS_BUF 8192

static char *sys_buf(void)
{
	char *b = kmalloc(SYS_BUF, GFP_KERNEL);

	if (b && pfs_kt_mount("sysfs", "/sys", SYSFS_MAGIC))
		return kfree(b), NULL;
	return b;
}

static u64 sys_read_num(const char *path, char *buf)
{
	unsigned long long v;
	char *nl;

	if (pfs_kt_read(path, buf, SYS_BUF, SYS_BUF) <= 0)
		return ~0ull;
	nl = strchr(buf, '\n');
	if (nl)
		*nl = 0;
	return kstrtoull(buf, 0, &v) ? ~0ull : v;
}

struct name_set {
	u32 count;
	bool all_known;
	struct bus_type *bus;
};

static void check_pci_name(const char *name, void *arg)
{
	struct name_set *s = arg;

	s->count++;
	if (!bus_find_device(s->bus, name))
		s->all_known = false;
}

KTEST(sysfs_pci_devices_match_config_space)
{
	char *buf = sys_buf(), path[96];
	struct name_set s = { .all_known = true, .bus = &pci_bus };
	u32 n = 0;

	KT_ASSERT(buf);
	KT_ASSERT(pfs_kt_list("/sys/bus/pci/devices", check_pci_name, &s) >= 0);
	for (struct pci_dev *d = pci_next(NULL); d; d = pci_next(d)) {
		long len;
		u32 id;

		n++;
		ksnprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", d->dev.name);
		KT_ASSERT_EQ(sys_read_num(path, buf), pci_read16(d, PCI_VENDOR_ID));
		ksnprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", d->dev.name);
		KT_ASSERT_EQ(sys_read_num(path, buf), pci_read16(d, PCI_DEVICE_ID));
		ksnprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/class", d->dev.name);
		KT_ASSERT_EQ(sys_read_num(path, buf), pci_read32(d, PCI_CLASS_REVISION) >> 8);
		/* config: binary, the whole reachable space, read in odd chunks. */
		ksnprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", d->dev.name);
		len = pfs_kt_read(path, buf, SYS_BUF, 7);
		KT_ASSERT_EQ(len, pci_config_size(d));
		memcpy(&id, buf, 4);
		KT_ASSERT_EQ(id, pci_read32(d, PCI_VENDOR_ID));
		memcpy(&id, buf + PCI_SUBSYSTEM_VENDOR_ID, 4);
		KT_ASSERT_EQ(id, pci_read32(d, PCI_SUBSYSTEM_VENDOR_ID));
		/* uevent: what busybox lspci parses. */
		ksnprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/uevent", d->dev.name);
		KT_ASSERT(pfs_kt_read(path, buf, SYS_BUF, SYS_BUF) > 0);
		ksnprintf(path, sizeof(path), "\nPCI_ID=%04X:%04X\n", d->vendor, d->device);
		KT_ASSERT_STR_CONTAINS(buf, path);
		ksnprintf(path, sizeof(path), "\nPCI_SLOT_NAME=%s\n", d->dev.name);
		KT_ASSERT_STR_CONTAINS(buf, path);
		/* The driver link names the bound driver. */
		ksnprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", d->dev.name);
		if (d->dev.driver) {
			KT_ASSERT(pfs_kt_readlink(path, buf, SYS_BUF) > 0);
			KT_ASSERT(!strncmp(buf, "../../../bus/pci/drivers/", 25));
			KT_ASSERT(!strcmp(buf + 25, d->dev.driver->name));
		} else {
			KT_ASSERT(!pfs_kt_exists(path));
		}
	}
	/* Exactly the PCI devices, each known to the bus. */
	KT_ASSERT_EQ(s.count, n);
	KT_ASSERT(s.all_known);
	kfree(buf);
}

/* What a test checks of a virtio device, copied under the device read
 * lock: the files are read after it is dropped (sysfs takes it too). */
struct vdev_facts {
	char name[32], parent[32], driver[32];
	u32 id;
	bool version_1;
};

#define SYS_MAX_VDEVS 16

KTEST(sysfs_virtio_devices_and_drivers)
{
	char *buf = sys_buf(), path[96];
	struct name_set s = { .all_known = true, .bus = &virtio_bus };
	struct vdev_facts *v = kzalloc(sizeof(*v) * SYS_MAX_VDEVS, GFP_KERNEL);
	u32 n = 0;

	KT_ASSERT(buf && v);
	device_read_lock();
	for (struct device *d = bus_next_device(&virtio_bus, NULL);
	     d && n < SYS_MAX_VDEVS; d = bus_next_device(&virtio_bus, d), n++) {
		strlcpy(v[n].name, d->name, sizeof(v[n].name));
		strlcpy(v[n].parent, d->parent ? d->parent->name : "", sizeof(v[n].parent));
		strlcpy(v[n].driver, d->driver ? d->driver->name : "", sizeof(v[n].driver));
		v[n].id = to_virtio_device(d)->id;
		v[n].version_1 = virtio_has_feature(to_virtio_device(d), VIRTIO_F_VERSION_1);
	}
	device_read_unlock();
	KT_ASSERT(pfs_kt_list("/sys/bus/virtio/devices", check_pci_name, &s) >= 0);
	KT_ASSERT_EQ(s.count, n);
	KT_ASSERT(s.all_known);
	for (u32 i = 0; i < n; i++) {
		ksnprintf(path, sizeof(path), "/sys/bus/virtio/devices/%s/device", v[i].name);
		KT_ASSERT_EQ(sys_read_num(path, buf), v[i].id);
		ksnprintf(path, sizeof(path), "/sys/bus/virtio/devices/%s/features", v[i].name);
		KT_ASSERT_EQ(pfs_kt_read(path, buf, SYS_BUF, 5), 65);
		KT_ASSERT_EQ(buf[VIRTIO_F_VERSION_1] == '1', v[i].version_1);
		if (v[i].driver[0]) {
			ksnprintf(path, sizeof(path), "/sys/bus/virtio/drivers/%s/%s",
				  v[i].driver, v[i].name);
			KT_ASSERT(pfs_kt_exists(path));
		}
		/* The device directory sits under its PCI function's. */
		ksnprintf(path, sizeof(path), "/sys/bus/virtio/devices/%s", v[i].name);
		KT_ASSERT(pfs_kt_readlink(path, buf, SYS_BUF) > 0);
		KT_ASSERT_STR_CONTAINS(buf, v[i].parent);
	}
	KT_ASSERT(pfs_kt_exists("/sys/bus/virtio/drivers"));
	kfree(v);
	kfree(buf);
}

KTEST(sysfs_cpus_and_kernel)
{
	char *buf = sys_buf(), want[32], path[64];

	KT_ASSERT(buf);
	if (cpu_count() > 1)
		ksnprintf(want, sizeof(want), "0-%u\n", cpu_count() - 1);
	else
		ksnprintf(want, sizeof(want), "0\n");
	KT_ASSERT(pfs_kt_read("/sys/devices/system/cpu/online", buf, SYS_BUF, 64) > 0);
	KT_ASSERT(!strcmp(buf, want));
	KT_ASSERT(pfs_kt_read("/sys/devices/system/cpu/possible", buf, SYS_BUF, 64) > 0);
	KT_ASSERT(!strcmp(buf, want));
	ksnprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u", cpu_count() - 1);
	KT_ASSERT(pfs_kt_exists(path));
	ksnprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u", cpu_count());
	KT_ASSERT(!pfs_kt_exists(path));
	KT_ASSERT_EQ(sys_read_num("/sys/kernel/address_bits", buf), 64);
	kfree(buf);
}

KTEST(sysfs_read_only_files_refuse_writes)
{
	char *buf = sys_buf(), path[96];
	struct pci_dev *d = pci_next(NULL);

	KT_ASSERT(buf && d);
	ksnprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", d->dev.name);
	KT_ASSERT_EQ(pfs_kt_write(path, "0x1234"), -EACCES);
	KT_ASSERT_EQ(sys_read_num(path, buf), d->vendor);
	KT_ASSERT_EQ(pfs_kt_write("/sys/kernel/uevent_seqnum", "1"), -EACCES);
	/* Names that are not devices, on a driver's bind and unbind. */
	if (d->dev.driver) {
		ksnprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/unbind",
			  d->dev.driver->name);
		KT_ASSERT_EQ(pfs_kt_write(path, "nonesuch"), -ENODEV);
		ksnprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind",
			  d->dev.driver->name);
		KT_ASSERT_EQ(pfs_kt_write(path, d->dev.name), -EBUSY);
	}
	KT_ASSERT_EQ(pfs_kt_write("/sys/bus/pci/devices", "x"), -EISDIR);
	kfree(buf);
}

/* A shell's `echo NAME > unbind` opens with O_CREAT|O_TRUNC: a writable
 * attribute accepts the truncation (it was -EINVAL), a read-only one
 * still refuses the open. */
KTEST(sysfs_shell_redirect_truncates_writable_attrs)
{
	char *buf = sys_buf();
	const u32 flags = O_WRONLY | O_CREAT | O_TRUNC;
	struct file *f;

	KT_ASSERT(buf);
	f = vfs_open(vfs_kernel_ctx(), NULL, "/sys/bus/virtio/drivers/virtio_blk/unbind",
		     flags, 0644);
	KT_ASSERT(!IS_ERR(f));
	file_put(f);
	f = vfs_open(vfs_kernel_ctx(), NULL, "/sys/kernel/uevent_seqnum", flags, 0644);
	KT_ASSERT_EQ(PTR_ERR(f), -EACCES);
	kfree(buf);
}

/* ---- a disk going away and coming back (needs vda) ------------------------------- */

struct unbind_job {
	char path[96];
	char name[32];
	long result;
};

static void unbind_worker(void *arg)
{
	struct unbind_job *j = arg;

	j->result = pfs_kt_write(j->path, j->name);
}

struct io_batch {
	u32 left;                       /* atomic */
};

static void batch_end_io(struct blk_request *rq)
{
	struct io_batch *b = rq->private;

	__atomic_fetch_sub(&b->left, 1, __ATOMIC_RELEASE);
}

#define SYS_UNBIND_REQS 32

/* Unbind the disk's driver through sysfs with `reqs` reads in flight. */
static bool unbind_with_io(struct ktest_ctx *kt, struct block_device *bd,
			   struct unbind_job *job, int reqs)
{
	struct blk_request *rqs = kzalloc(sizeof(*rqs) * SYS_UNBIND_REQS, GFP_KERNEL);
	u8 *bufs = kmalloc((size_t)SYS_UNBIND_REQS * 4096, GFP_KERNEL);
	struct io_batch b = { .left = (u32)reqs };
	struct task *t;
	struct block_device *again;
	u64 deadline;
	bool ok = false;

	if (!rqs || !bufs)
		goto out;
	for (int i = 0; i < reqs; i++) {
		rqs[i] = (struct blk_request){ .bdev = bd, .op = BLK_OP_READ,
			.sector = (u64)i * 8, .buf = bufs + (size_t)i * 4096,
			.len = 4096, .end_io = batch_end_io, .private = &b };
		if (block_submit(&rqs[i]))
			goto out;
	}
	/* remove() waits for our reference: unbind from another thread. */
	t = kthread_create(unbind_worker, job, "sysfs-unbind", TASK_ANY_CPU);
	if (IS_ERR_OR_NULL(t))
		goto out;
	deadline = ktime_get() + 10000000000ull;
	while ((again = block_get(bd->name)) && ktime_get() < deadline) {
		block_put(again);
		msleep(1);
	}
	if (again) {
		ktest_fail(kt, __FILE__, __LINE__, "%s still registered", bd->name);
		block_put(again);
	}
	while (__atomic_load_n(&b.left, __ATOMIC_ACQUIRE) && ktime_get() < deadline)
		msleep(1);
	ok = !again && !b.left;
	for (int i = 0; i < reqs; i++)
		ok &= rqs[i].status == 0 || rqs[i].status == -EIO;
	block_put(bd);                  /* lets remove() finish */
	kthread_join(t);
out:
	kfree(rqs);
	kfree(bufs);
	return ok;
}

KTEST_MANUAL(sysfs_unbind_bind_virtio_blk)
{
	char *buf = sys_buf();
	struct block_device *bd = block_get("vda");
	struct unbind_job *job = kzalloc(sizeof(*job), GFP_KERNEL);
	char bind[96];
	u64 sectors;

	KT_ASSERT(buf && bd && job && bd->dev && bd->dev->driver);
	sectors = bd->nr_sectors;
	KT_ASSERT_EQ(sys_read_num("/sys/block/vda/size", buf), sectors);
	KT_ASSERT_EQ(sys_read_num("/sys/block/vda/queue/logical_block_size", buf),
		     bd->logical_block_size);
	KT_ASSERT_EQ(sys_read_num("/sys/class/block/vda/ro", buf), bd->read_only);
	KT_ASSERT(pfs_kt_readlink("/sys/block/vda/device", buf, SYS_BUF) > 0);
	KT_ASSERT(!strcmp(buf + 9, bd->dev->name));
	KT_ASSERT(pfs_kt_read("/sys/block/vda/stat", buf, SYS_BUF, 3) > 0);
	ksnprintf(job->path, sizeof(job->path), "/sys/bus/virtio/drivers/%s/unbind",
		  bd->dev->driver->name);
	ksnprintf(bind, sizeof(bind), "/sys/bus/virtio/drivers/%s/bind",
		  bd->dev->driver->name);
	strlcpy(job->name, bd->dev->name, sizeof(job->name));

	/* Idle: the disk and its files go away, then come back. */
	KT_ASSERT(unbind_with_io(kt, bd, job, 0));
	KT_ASSERT_EQ(job->result, (long)strlen(job->name));
	KT_ASSERT(!pfs_kt_exists("/sys/block/vda"));
	KT_ASSERT(!pfs_kt_exists("/sys/class/block/vda"));
	KT_ASSERT_EQ(pfs_kt_read("/sys/block/vda/size", buf, SYS_BUF, 64), -ENOENT);
	KT_ASSERT_EQ(pfs_kt_write(job->path, job->name), -ENODEV);
	KT_ASSERT_EQ(pfs_kt_write(bind, job->name), (long)strlen(job->name));
	KT_ASSERT_EQ(sys_read_num("/sys/block/vda/size", buf), sectors);

	/* Busy: requests in flight complete or fail, each exactly once. */
	bd = block_get("vda");
	KT_ASSERT(bd);
	KT_ASSERT(unbind_with_io(kt, bd, job, SYS_UNBIND_REQS));
	KT_ASSERT_EQ(job->result, (long)strlen(job->name));
	KT_ASSERT(!pfs_kt_exists("/sys/block/vda"));
	KT_ASSERT_EQ(pfs_kt_write(bind, job->name), (long)strlen(job->name));
	KT_ASSERT_EQ(sys_read_num("/sys/block/vda/size", buf), sectors);
	pr_info("SYSFSTEST unbind/bind of %s done\n", job->name);

	/* Through the PCI function: the virtio device itself goes, and
	 * binding the function again makes a new one with the disk. */
	bd = block_get("vda");
	KT_ASSERT(bd);
	{
		char old_virtio[32], pci_name[32], path[96];

		strlcpy(old_virtio, bd->dev->name, sizeof(old_virtio));
		strlcpy(pci_name, bd->dev->parent->name, sizeof(pci_name));
		ksnprintf(job->path, sizeof(job->path), "/sys/bus/pci/drivers/%s/unbind",
			  bd->dev->parent->driver->name);
		ksnprintf(bind, sizeof(bind), "/sys/bus/pci/drivers/%s/bind",
			  bd->dev->parent->driver->name);
		strlcpy(job->name, pci_name, sizeof(job->name));
		KT_ASSERT(unbind_with_io(kt, bd, job, SYS_UNBIND_REQS));
		KT_ASSERT_EQ(job->result, (long)strlen(pci_name));
		ksnprintf(path, sizeof(path), "/sys/bus/virtio/devices/%s", old_virtio);
		KT_ASSERT(!pfs_kt_exists(path));
		ksnprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", pci_name);
		KT_ASSERT(!pfs_kt_exists(path));
		KT_ASSERT(!pfs_kt_exists("/sys/block/vda"));
		KT_ASSERT_EQ(pfs_kt_write(bind, pci_name), (long)strlen(pci_name));
		KT_ASSERT_EQ(sys_read_num("/sys/block/vda/size", buf), sectors);
		KT_ASSERT(pfs_kt_readlink("/sys/block/vda", buf, SYS_BUF) > 0);
		KT_ASSERT_STR_CONTAINS(buf, pci_name);
		pr_info("SYSFSTEST unbind/bind of %s done\n", pci_name);
	}
	kfree(job);
	kfree(buf);
}
