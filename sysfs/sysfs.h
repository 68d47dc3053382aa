/*
 * sysfs: /sys, generated from the device model (buses, devices, drivers,
 * attributes), the block registry and the CPUs, in Linux's layout.
 */
#ifndef VIREO_SYSFS_SYSFS_H
#define VIREO_SYSFS_SYSFS_H

/* Register the "sysfs" file system type (kmain, after vfs_init). */
int sysfs_init(void);

#endif
