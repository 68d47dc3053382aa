/*
 * What the files of sysfs/ share. The tree (Linux's layout):
 *
 *   devices/pciSSSS:BB/<pci dev>/[<child dev>/...]   real device directories
 *           .../<dev>/block/vdX/                      a disk's directory
 *   devices/system/cpu/                               CPUs (cpu.c)
 *   bus/<bus>/devices/<dev> -> ../../../devices/...   links (bus.c)
 *   bus/<bus>/drivers/<drv>/{bind,unbind,<dev> ->}
 *   block/vdX -> ../devices/.../block/vdX, class/block/vdX -> ...
 *   kernel/                                           a few attributes
 *
 * A device directory's node holds its bus (obj) and name (key); every
 * use finds the device again with bus_find_device under the device read
 * lock, so a device that was deleted is -ENOENT, never freed memory. A
 * disk's node holds its block device name and takes a block_get reference
 * while it looks.
 */
#ifndef VIREO_SYSFS_INTERNAL_H
#define VIREO_SYSFS_INTERNAL_H

#include "fs/pseudofs/pseudofs.h"
#include "kernel/device/device.h"

struct block_device;

/* The node of dev's directory (caller holds the device read lock). */
void sysfs_dev_node(struct device *dev, struct pfs_node *n);
/* dev's directory as a path from /sys ("devices/pci0000:00/0000:00:03.0"),
 * appended to b; returns how many components it has. */
u32 sysfs_dev_path(struct device *dev, struct pfs_buf *b);
/* "../" repeated depth times. */
void sysfs_up(struct pfs_buf *b, u32 depth);
/* Find the device a node names and take the device read lock; NULL (and
 * no lock) if it is gone. */
struct device *sysfs_dev_get(const struct pfs_node *n);
void sysfs_dev_put(void);

/* Disks (block.c). */
void sysfs_block_node(const struct block_device *bd, struct pfs_node *n);
/* Emit dev's disks (the block/ directory's entries; dev NULL: disks
 * without a device, devices/virtual/block). */
int sysfs_list_dev_disks(struct device *dev, struct pfs_lister *l);
bool sysfs_dev_has_disks(struct device *dev);
/* /sys/block and /sys/class/block: links to every disk's directory. */
extern const struct pfs_ops sysfs_block_links_ops;

/* Buses and drivers (bus.c). */
extern const struct pfs_ops sysfs_bus_root_ops;

/* devices/ (devices.c) and devices/system/cpu (cpu.c). */
extern const struct pfs_ops sysfs_devices_root_ops;
extern const struct pfs_ops sysfs_cpu_dir_ops;

/* /sys/class/net (net.c). */
extern const struct pfs_ops sysfs_net_class_ops;

#endif
