/* Memory system calls: brk, mmap, munmap, mprotect, madvise (see vm.h). */
#include "kernel/syscall/syscall.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/vm.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "vfs/vfs.h"
#include <linux/mman.h>

SYSCALL_DEFINE1(brk, uintptr_t, addr)
{
	return (long)vm_brk(current_proc()->mm, addr);
}

SYSCALL_DEFINE6(mmap, uintptr_t, addr, size_t, len, unsigned, prot, unsigned, flags,
		int, fd, u64, off)
{
	struct proc *p = current_proc();
	struct file *f = NULL;
	long ret;

	if (!(flags & MAP_ANONYMOUS)) {
		f = fd_get(p->files, fd);
		if (IS_ERR(f))
			return PTR_ERR(f);
	}
	ret = vm_mmap(p->mm, addr, len, prot, flags, f, (flags & MAP_ANONYMOUS) ? 0 : off);
	if (f)
		file_put(f);
	return ret;
}

SYSCALL_DEFINE2(munmap, uintptr_t, addr, size_t, len)
{
	return vm_munmap(current_proc()->mm, addr, len);
}

SYSCALL_DEFINE3(mprotect, uintptr_t, addr, size_t, len, unsigned, prot)
{
	return vm_mprotect(current_proc()->mm, addr, len, prot);
}

/* Advice only: every accepted hint may be ignored, except MADV_DONTNEED,
 * whose zero-fill semantics programs rely on; it is not supported. */
SYSCALL_DEFINE3(madvise, uintptr_t, addr, size_t, len, int, advice)
{
	if (addr & 4095)
		return -EINVAL;
	switch (advice) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_FREE:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
		return 0;
	default:
		return -EINVAL;
	}
}
