/*
 * devfs: the kernel's /dev, a tmpfs ("devtmpfs", one shared instance)
 * filled with the nodes of the devices the kernel knows: console, null,
 * zero, full, random, urandom, tty, and every block device.
 */
#ifndef VIREO_FS_DEVFS_DEVFS_H
#define VIREO_FS_DEVFS_DEVFS_H

#include "vfs/vfs.h"

/* Register the drivers behind the nodes and the devtmpfs type. */
int devfs_init(void);
/* Create the nodes under dir (the path devtmpfs is mounted on); nodes
 * that exist already are left alone. */
int devfs_populate(const char *dir);

/* Drivers (mem.c, console.c). */
int devfs_mem_init(void);
int devfs_console_init(void);

#endif
