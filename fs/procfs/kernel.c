/* /proc/version and /proc/cmdline: what the kernel is and how it booted. */
#include "fs/procfs/internal.h"
#include "fs/procfs/procfs.h"
#include "kernel/boot/boot_info.h"
#include "kernel/boot/main.h"
#include "kernel/lib/string.h"

/* A copy: boot_info's memory is not the kernel's to keep. */
static char boot_cmdline[BOOT_CMDLINE_MAX];

void procfs_set_cmdline(const char *cmdline)
{
	strlcpy(boot_cmdline, cmdline ? cmdline : "", sizeof(boot_cmdline));
}

const char *procfs_boot_cmdline(void)
{
	return boot_cmdline;
}

int procfs_show_version(struct pfs_buf *b)
{
	pfs_printf(b, "%s\n", vireo_version);
	return 0;
}

int procfs_show_cmdline(struct pfs_buf *b)
{
	pfs_printf(b, "%s\n", boot_cmdline);
	return 0;
}
