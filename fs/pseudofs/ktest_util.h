/*
 * Helpers for the sysfs and procfs KTESTs: mount a generated file system
 * once, read, write and list its files through the VFS as a process would.
 */
#ifndef VIREO_FS_PSEUDOFS_KTEST_UTIL_H
#define VIREO_FS_PSEUDOFS_KTEST_UTIL_H

#include "kernel/lib/types.h"

/* Mount fstype on dir (created if missing) unless it is mounted there. */
int pfs_kt_mount(const char *fstype, const char *dir, u64 magic);
/* All of path into buf, NUL-terminated, in reads of at most chunk bytes:
 * the length or a negative errno. */
long pfs_kt_read(const char *path, char *buf, size_t size, size_t chunk);
/* Write s to path in one write(): bytes written or a negative errno. */
long pfs_kt_write(const char *path, const char *s);
/* The link target, NUL-terminated: its length or a negative errno. */
int pfs_kt_readlink(const char *path, char *buf, size_t size);
/* fn(name, arg) for each entry but "." and "..": the count or -errno. */
int pfs_kt_list(const char *path, void (*fn)(const char *name, void *arg), void *arg);
/* Does path exist (lstat)? */
bool pfs_kt_exists(const char *path);

#endif
