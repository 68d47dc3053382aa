/*
 * /proc/mounts (= /proc/PID/mounts) and /proc/partitions: the VFS mount
 * table and the block device registry, in Linux's formats (proc(5);
 * fstab(5) escapes for names with blanks).
 */
#include "fs/procfs/internal.h"
#include "kernel/block/block.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/printf.h"
#include "vfs/vfs.h"
#include <linux/mount.h>

/*
 * The mount walk runs under the VFS mount lock (a spinlock), where no
 * allocation may sleep: it formats into room reserved beforehand, and if
 * that was too small the whole walk is redone with twice the room.
 */
struct mounts_walk {
	char *out;
	size_t len, room;
	bool overflow;
};

static void mounts_put(struct mounts_walk *w, const char *s, bool escape)
{
	for (; *s; s++) {
		char esc[5];
		const char *p = esc;
		int n;

		/* fstab(5): blank, tab, newline and backslash as octal. */
		if (escape && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\'))
			n = ksnprintf(esc, sizeof(esc), "\\%03o", (unsigned)(u8)*s);
		else
			n = 1, p = s;
		if (w->len + (size_t)n > w->room) {
			w->overflow = true;
			return;
		}
		for (int i = 0; i < n; i++)
			w->out[w->len++] = p[i];
	}
}

static void mounts_one(const char *source, const char *path, const char *fstype,
		       u32 ms_flags, void *arg)
{
	struct mounts_walk *w = arg;

	mounts_put(w, source, true);
	mounts_put(w, " ", false);
	mounts_put(w, path, true);
	mounts_put(w, " ", false);
	mounts_put(w, fstype, true);
	mounts_put(w, (ms_flags & MS_RDONLY) ? " ro" : " rw", false);
	if (ms_flags & MS_NOSUID)
		mounts_put(w, ",nosuid", false);
	if (ms_flags & MS_NODEV)
		mounts_put(w, ",nodev", false);
	if (ms_flags & MS_NOEXEC)
		mounts_put(w, ",noexec", false);
	/* No file system of Vireo's updates access times on reads. */
	mounts_put(w, ",noatime 0 0\n", false);
}

/* The mounts the reader's root reaches. */
int procfs_show_mounts(struct pfs_buf *b)
{
	struct vfs_ctx ctx;

	procfs_reader_ctx(&ctx);
	for (size_t room = 1024; room <= PFS_BUF_MAX / 2; room *= 2) {
		struct mounts_walk w = { .room = room };

		w.out = pfs_reserve(b, room);
		if (!w.out)
			return b->err;
		vfs_for_each_mount(&ctx, mounts_one, &w);
		if (!w.overflow) {
			pfs_commit(b, w.len);
			return 0;
		}
	}
	return -EFBIG;
}

int procfs_show_partitions(struct pfs_buf *b)
{
	pfs_printf(b, "major minor  #blocks  name\n\n");
	for (struct block_device *bd = block_next(NULL), *next; bd; bd = next) {
		dev_t dev = blkdev_devt(bd);

		pfs_printf(b, "%4u  %7u %10llu %s\n", MAJOR(dev), MINOR(dev),
			   (unsigned long long)(bd->nr_sectors >> 1), bd->name);
		next = block_next(bd);
		block_put(bd);
	}
	return 0;
}
