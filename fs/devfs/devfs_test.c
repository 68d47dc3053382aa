/*
 * devfs tests that need a disk: run by tests/integration/test_devfs.py.
 */
#include "fs/devfs/devfs.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/test/ktest.h"
#include <linux/fs.h>           /* SEEK_END */

#define K vfs_kernel_ctx()

/*
 * KTEST_MANUAL devfs_blockdev_file_rw: /dev/vda (a scratch disk the
 * integration test attaches, filled with zeros) as a file: writes that
 * straddle sector boundaries read back exactly, neighbours stay zero,
 * the end of the device is EOF for reads and ENOSPC for writes.
 * tests/integration/test_devfs.py then checks the image on the host.
 */
KTEST_MANUAL(devfs_blockdev_file_rw)
{
	static const char msg[] = "written through /dev/vda at byte 1000";
	u8 *buf = kzalloc(8192, GFP_KERNEL);
	struct stat st;
	struct file *f;
	s64 end;

	KT_ASSERT(buf);
	KT_ASSERT_EQ(vfs_fstatat(K, NULL, "/dev/vda", 0, &st), 0);
	KT_ASSERT(S_ISBLK(st.st_mode));
	KT_ASSERT_EQ(MAJOR(st.st_rdev), 254);
	f = vfs_open(K, NULL, "/dev/vda", O_RDWR, 0);
	KT_ASSERT(!IS_ERR(f));
	end = vfs_lseek(f, 0, SEEK_END);
	KT_ASSERT(end > 8192);
	KT_ASSERT_EQ(vfs_write(f, VFS_KBUF(msg), sizeof(msg) - 1, &(u64){ 1000 }),
		     sizeof(msg) - 1);
	KT_ASSERT_EQ(vfs_read(f, VFS_KBUF(buf), 8192, &(u64){ 0 }), 8192);
	KT_ASSERT(!memcmp(buf + 1000, msg, sizeof(msg) - 1));
	KT_ASSERT_EQ(buf[999], 0);
	KT_ASSERT_EQ(buf[1000 + sizeof(msg) - 1], 0);
	/* 5000 bytes from offset 510: three partial sectors and whole ones. */
	memset(buf, 0x5a, 5000);
	KT_ASSERT_EQ(vfs_write(f, VFS_KBUF(buf), 5000, &(u64){ 4096 + 510 }), 5000);
	KT_ASSERT_EQ(vfs_read(f, VFS_KBUF(buf), 1, &(u64){ (u64)end }), 0);
	KT_ASSERT_EQ(vfs_write(f, VFS_KBUF(buf), 1, &(u64){ (u64)end }), -ENOSPC);
	KT_ASSERT_EQ(vfs_write(f, VFS_KBUF("tail"), 4, &(u64){ (u64)end - 2 }), 2);
	KT_ASSERT_EQ(vfs_fsync(f, false), 0);
	file_put(f);
	kfree(buf);
}
