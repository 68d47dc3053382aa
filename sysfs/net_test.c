/*
 * /sys/class/net through the VFS: the loopback device's attributes as
 * Linux shows them (every KTEST boot has lo; eth0 is checked by
 * tests/integration/test_sock.py).
 */
#include "fs/pseudofs/ktest_util.h"
#include "kernel/lib/string.h"
#include "kernel/test/ktest.h"
#include <linux/magic.h>

KTEST(sysfs_class_net_lo_attributes)
{
	char buf[128];

	KT_ASSERT_EQ(pfs_kt_mount("sysfs", "/sys", SYSFS_MAGIC), 0);
	KT_ASSERT(pfs_kt_read("/sys/class/net/lo/mtu", buf, sizeof(buf), 64) > 0);
	KT_ASSERT(!strcmp(buf, "65536\n"));
	KT_ASSERT(pfs_kt_read("/sys/class/net/lo/address", buf, sizeof(buf), 64) > 0);
	KT_ASSERT(!strcmp(buf, "00:00:00:00:00:00\n"));
	KT_ASSERT(pfs_kt_read("/sys/class/net/lo/operstate", buf, sizeof(buf), 64) > 0);
	KT_ASSERT(!strcmp(buf, "unknown\n"));
	KT_ASSERT(pfs_kt_read("/sys/class/net/lo/flags", buf, sizeof(buf), 64) > 0);
	KT_ASSERT(!strcmp(buf, "0x9\n"));
	KT_ASSERT(pfs_kt_read("/sys/class/net/lo/type", buf, sizeof(buf), 64) > 0);
	KT_ASSERT(!strcmp(buf, "772\n"));
	KT_ASSERT(pfs_kt_read("/sys/class/net/lo/statistics/rx_packets", buf,
			      sizeof(buf), 64) > 0);
	KT_ASSERT(buf[0] >= '0' && buf[0] <= '9');
	KT_ASSERT(!pfs_kt_exists("/sys/class/net/nosuch0"));
	KT_ASSERT(!pfs_kt_exists("/sys/class/net/lo/nosuch"));
}
