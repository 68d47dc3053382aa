/*
 * Process memory: an address space (mm/vmm.h) plus the list of areas that
 * say what may live where. Pages appear on first touch (vm_fault, from the
 * page-fault handler, user copies included): anonymous pages zeroed,
 * private file pages shared with the file where its file system lends its
 * own page (f_op->get_page: tmpfs, so the initramfs), else read from the
 * file into a new frame. fork shares every page copy-on-write (private
 * writable pages lose their write bit in both spaces; the first write
 * copies, or just takes the write bit back when no one else holds the
 * frame any more). A lent file page is mapped without the write bit in
 * every area and is copied on the first write the same way: the file's
 * own reference keeps it shared, so a write never reaches the file or
 * another process. Until a process writes its copy, it sees writes to
 * the file (as on Linux); a truncation leaves it the page it had, where
 * Linux would raise SIGBUS. MAP_SHARED anonymous memory is allocated
 * whole at mmap time, so that fork can share its frames.
 *
 * User frames are shared frames (kernel/mm/upage.h: one reference per
 * mapping in any address space, plus the file's for a lent page) and
 * never mapped VM_OWNED: the last reference frees them. Every exec of a
 * binary on tmpfs thus maps the same frames, which under TCG keeps
 * QEMU's translations of its code (bench/proc.md).
 *
 * Locking: mm->lock (a mutex) protects the area list, brk and every change
 * to the page tables of the space (vmm's own spinlock orders the walks).
 * It is not held while touching user memory, so a fault inside a user
 * copy can take it.
 */
#ifndef VIREO_PROC_VM_H
#define VIREO_PROC_VM_H

#include "kernel/lib/types.h"
#include "kernel/lib/list.h"
#include "kernel/sched/mutex.h"

struct file;
struct addr_space;

/* Where things go in the user half (below USER_END). */
#define VM_STACK_SIZE   (8ULL << 20)            /* RLIMIT_STACK's default */
#define VM_MMAP_TOP     0x00007f0000000000ULL   /* mmap grows down from here */
#define VM_MMAP_MIN     0x0000000010000ULL      /* lowest address mmap hands out */
#define VM_PIE_BASE     0x0000555555554000ULL   /* static-PIE load bias */

/* vm_area.flags */
#define VMA_SHARED 0x1          /* MAP_SHARED: pages shared with fork children */
#define VMA_HEAP   0x2          /* the brk area */
#define VMA_STACK  0x4

struct vm_area {
	struct list_node node;          /* mm->areas, by address */
	uintptr_t start, end;           /* page-aligned */
	unsigned prot;                  /* PROT_* */
	unsigned flags;                 /* VMA_* */
	struct file *file;              /* held: private file mapping, or NULL */
	u64 off;                        /* file offset that `start` shows */
	uintptr_t file_end;             /* file data ends here; zeros above */
};

struct mm {
	struct addr_space *as;
	struct mutex lock;
	struct list_node areas;         /* struct vm_area, sorted, disjoint */
	uintptr_t brk_start, brk;
	/* Where exec put the argument and environment strings (procfs
	 * reads them back as /proc/PID/cmdline and environ). */
	uintptr_t arg_start, arg_end, env_start, env_end;
	u32 users;                      /* processes using it (vfork); atomic */
};

/* An empty space. NULL if out of memory. */
struct mm *mm_create(void);
void mm_get(struct mm *mm);
/* The last user frees every page, area and page table. The space must not
 * be loaded on any CPU. */
void mm_put(struct mm *mm);
/* fork: a copy-on-write duplicate; ERR_PTR(-ENOMEM). */
struct mm *mm_fork(struct mm *old);
/* Frames mapped in mm's user half (for the leak tests). */
u64 mm_resident_pages(struct mm *mm);

/*
 * Map [addr, addr + len) (page-aligned) as one area, replacing whatever
 * was there (MAP_FIXED semantics). file: a private file mapping showing
 * file offset off at addr, with file data up to file_end (an address) and
 * zeros above; its reference is taken. 0 or -ENOMEM.
 */
int vm_map_fixed(struct mm *mm, uintptr_t addr, size_t len, unsigned prot,
		 unsigned flags, struct file *file, u64 off, uintptr_t file_end);

/* The syscalls: Linux's arguments, results and errors. */
long vm_mmap(struct mm *mm, uintptr_t addr, size_t len, unsigned prot,
	     unsigned flags, struct file *file, u64 off);
int vm_munmap(struct mm *mm, uintptr_t addr, size_t len);
int vm_mprotect(struct mm *mm, uintptr_t addr, size_t len, unsigned prot);
uintptr_t vm_brk(struct mm *mm, uintptr_t addr);

/* access: VM_WRITE for a write, VM_EXEC for an instruction fetch, 0 for a
 * read. 0 if the page is now there, -EFAULT if the access is not allowed
 * (SIGSEGV), -ENOMEM, or -EIO if the file could not be read (SIGBUS). */
int vm_fault(struct mm *mm, uintptr_t addr, unsigned access);
/* Fault in [addr, addr + len) of mm for access (VM_WRITE or 0) ahead of a
 * copy made under a file system lock: the bytes from addr now there,
 * short at the first page that cannot be. A fault taken during the copy
 * could need that same lock (the buffer is a private mapping of the file
 * being read or written); nothing unmaps a process's pages but the
 * process itself, so the pages stay until its copy is done. */
size_t vm_prefault(struct mm *mm, uintptr_t addr, size_t len, unsigned access);

/* procfs: copy up to len bytes at addr out of mm (loaded or not) without
 * faulting anything in: the bytes copied, short at the first page that is
 * not there. */
size_t vm_read_direct(struct mm *mm, uintptr_t addr, void *buf, size_t len);
/* procfs: fn on every area in address order, under mm->lock (fn must not
 * touch user memory); stops at and returns fn's first non-zero result. */
int vm_for_each_area(struct mm *mm, int (*fn)(const struct vm_area *a, void *ctx),
		     void *ctx);
/* procfs: the bytes the areas span (a process's virtual size). */
u64 mm_virtual_size(struct mm *mm);

/* Write into mm while it is not loaded (exec's initial stack): pages are
 * allocated as needed in the area that covers them. 0, -EFAULT, -ENOMEM. */
int vm_write_direct(struct mm *mm, uintptr_t addr, const void *buf, size_t len);

#endif
