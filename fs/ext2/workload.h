/*
 * The ext2 write workloads the tests share: one sequence of namespace
 * and data operations, run through any back end: the ext2 code directly
 * (host tests), POSIX calls on a host directory (which makes the expected
 * tree), or the kernel's VFS (the in-kernel integration tests). Each step
 * checks the result it expects (including errors such as -ENOTEMPTY), so
 * every back end must behave the same.
 */
#ifndef VIREO_FS_EXT2_WORKLOAD_H
#define VIREO_FS_EXT2_WORKLOAD_H

#include "kernel/lib/types.h"

/* Paths are absolute within the file system; errors negative errno. */
struct ext2_wl_ops {
	int (*mkdir)(void *ctx, const char *path);
	/* Write len bytes at off, creating the file (mode 0644) if absent. */
	int (*write)(void *ctx, const char *path, u64 off, const void *buf, u32 len);
	int (*truncate)(void *ctx, const char *path, u64 size);
	int (*unlink)(void *ctx, const char *path);
	int (*rmdir)(void *ctx, const char *path);
	int (*rename)(void *ctx, const char *from, const char *to);
	int (*link)(void *ctx, const char *from, const char *to);
	int (*symlink)(void *ctx, const char *target, const char *path);
	/* Read len bytes at off (the short count at end of file). */
	long (*read)(void *ctx, const char *path, u64 off, void *buf, u32 len);
};

/* The general workload, for the trees images/mkext2.py stages (b1k-i128,
 * b2k-i256): 0, or -1 with the failing step in why. */
int ext2_wl_general(const struct ext2_wl_ops *ops, void *ctx, char *why, u32 len);
/* Changes to the 2000-entry htree directory (the dirindex shape). */
int ext2_wl_htree(const struct ext2_wl_ops *ops, void *ctx, char *why, u32 len);
/* Deterministic file contents: byte i of stream seed. */
void ext2_wl_fill(void *buf, u32 len, u32 seed, u64 off);

#endif
