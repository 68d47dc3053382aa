/*
 * /dev/console and /dev/tty (5:1 and 5:0), and /dev/ttyS0 (4:64): the
 * console terminal, with its line discipline and termios (kernel/proc/tty.c).
 */
#include "fs/devfs/devfs.h"
#include "kernel/proc/tty.h"

int devfs_console_init(void)
{
	return tty_register_devices();
}
