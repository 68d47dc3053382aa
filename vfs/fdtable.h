/*
 * The array behind a descriptor table: slots of open files by number and
 * their close-on-exec bits, grown on demand up to a limit. No locking and
 * no reference counting here (vfs/files.c does both); pure, host tested.
 */
#ifndef VIREO_VFS_FDTABLE_H
#define VIREO_VFS_FDTABLE_H

#include "kernel/lib/types.h"

struct file;

struct fdtable {
	u32 size;               /* slots allocated */
	u32 used;               /* slots holding a file */
	u32 hint;               /* no free slot below this one */
	struct file **slot;
	u64 *cloexec;           /* one bit per slot */
};

#define FDT_MIN_SIZE 64u

void fdt_init(struct fdtable *t);
void fdt_free(struct fdtable *t);
/* The lowest empty slot >= min and < limit, growing the arrays as
 * needed: the slot number, -EMFILE (none below limit) or -ENOMEM. */
int fdt_find_free(struct fdtable *t, u32 min, u32 limit);
/* Grow so that slot fd exists: 0 or -ENOMEM. */
int fdt_reserve(struct fdtable *t, u32 fd);
/* Put f in slot fd (which must exist): the file it held before, or NULL. */
struct file *fdt_set(struct fdtable *t, u32 fd, struct file *f, bool cloexec);
struct file *fdt_get(const struct fdtable *t, u32 fd);
bool fdt_cloexec(const struct fdtable *t, u32 fd);
void fdt_set_cloexec(struct fdtable *t, u32 fd, bool on);
/* Copy src into an initialised, empty dst (no references taken). */
int fdt_copy(struct fdtable *dst, const struct fdtable *src);
/* The highest slot in use + 1 (0 if none). */
u32 fdt_max_used(const struct fdtable *t);

#endif
