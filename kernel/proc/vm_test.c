/*
 * Private file mappings of a tmpfs file: the file's own pages are mapped
 * read-only and shared (with the file, with fork children), and every
 * kind of write (a write fault on a mapped or an unmapped page,
 * vm_write_direct) gets a copy that the file and the other spaces never
 * see. Each test mounts its own tmpfs under /kt and unmounts it at the
 * end (EBUSY if a reference leaked).
 */
#include "kernel/proc/vm.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/upage.h"
#include "kernel/mm/vmm.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "kernel/test/ktest.h"
#include "vfs/vfs.h"
#include <linux/mman.h>

#define K vfs_kernel_ctx()
#define KT_ADDR 0x400000UL
#define KT_PAGES 4
#define KT_SIZE (3 * PAGE_SIZE + 100)   /* page i full of 'a' + i, a tail */

/* dir on a fresh tmpfs, and in it file "f" of KT_SIZE bytes, open O_RDWR. */
static struct file *kt_file(const char *dir, const char *path)
{
	static u8 chunk[PAGE_SIZE];
	struct file *f;
	int err = vfs_mkdir(K, NULL, "/kt", 0755);

	if (err && err != -EEXIST)
		return ERR_PTR(err);
	err = vfs_mkdir(K, NULL, dir, 0755);
	if (err && err != -EEXIST)
		return ERR_PTR(err);
	err = vfs_mount(K, "tmpfs", dir, "tmpfs", 0, NULL);
	if (err)
		return ERR_PTR(err);
	f = vfs_open(K, NULL, path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (IS_ERR(f))
		return f;
	for (unsigned i = 0; i < 4; i++) {
		size_t n = i < 3 ? PAGE_SIZE : KT_SIZE - 3 * PAGE_SIZE;

		memset(chunk, 'a' + i, sizeof(chunk));
		if (vfs_write(f, VFS_KBUF(chunk), n, NULL) != (ssize_t)n) {
			file_put(f);
			return ERR_PTR(-EIO);
		}
	}
	return f;
}

/* The frame of the file's page i (its own reference is what keeps it). */
static phys_addr_t kt_file_frame(struct file *f, unsigned i)
{
	phys_addr_t pa;

	if (f->f_op->get_page(f, (u64)i * PAGE_SIZE, &pa))
		return 0;
	upage_put(pa, false);
	return pa;
}

static phys_addr_t kt_frame(struct mm *mm, uintptr_t va, unsigned *prot)
{
	phys_addr_t pa;

	if (vmm_query(mm->as, va, &pa, prot))
		return 0;
	return ALIGN_DOWN(pa, PAGE_SIZE);
}

static u8 kt_file_byte(struct file *f, u64 pos)
{
	u8 c = 0;

	vfs_read(f, VFS_KBUF(&c), 1, &pos);
	return c;
}

KTEST(vm_private_file_page_shared_until_written)
{
	struct file *f = kt_file("/kt/vmshare", "/kt/vmshare/f");
	phys_addr_t file0, file2, file3, pa;
	unsigned prot;
	struct mm *mm;
	u64 free_before;

	KT_ASSERT(!IS_ERR(f));
	file0 = kt_file_frame(f, 0);
	file2 = kt_file_frame(f, 2);
	file3 = kt_file_frame(f, 3);
	KT_ASSERT(file0 && file2 && file3);
	free_before = pmm_free_count();
	mm = mm_create();
	KT_ASSERT(mm);
	KT_ASSERT_EQ(vm_map_fixed(mm, KT_ADDR, KT_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
				  0, f, 0, KT_ADDR + KT_SIZE), 0);

	/* A read maps the file's own frame, without the write bit. */
	KT_ASSERT_EQ(vm_fault(mm, KT_ADDR, 0), 0);
	KT_ASSERT_EQ(kt_frame(mm, KT_ADDR, &prot), file0);
	KT_ASSERT(!(prot & VM_WRITE));
	KT_ASSERT_EQ(upage_refs(file0), 2);
	/* The last page ends where the file does: shared too. */
	KT_ASSERT_EQ(vm_fault(mm, KT_ADDR + 3 * PAGE_SIZE, 0), 0);
	KT_ASSERT_EQ(kt_frame(mm, KT_ADDR + 3 * PAGE_SIZE, NULL), file3);

	/* A write copies; the file keeps its bytes and its frame. */
	KT_ASSERT_EQ(vm_fault(mm, KT_ADDR, VM_WRITE), 0);
	pa = kt_frame(mm, KT_ADDR, &prot);
	KT_ASSERT(pa && pa != file0 && (prot & VM_WRITE));
	KT_ASSERT_EQ(upage_refs(file0), 1);
	KT_ASSERT_EQ(((u8 *)phys_to_virt(pa))[PAGE_SIZE - 1], 'a');
	((u8 *)phys_to_virt(pa))[0] = 'X';
	KT_ASSERT_EQ(kt_file_byte(f, 0), 'a');

	/* A first touch that writes never takes the file's frame. */
	KT_ASSERT_EQ(vm_fault(mm, KT_ADDR + PAGE_SIZE, VM_WRITE), 0);
	pa = kt_frame(mm, KT_ADDR + PAGE_SIZE, NULL);
	KT_ASSERT(pa && pa != kt_file_frame(f, 1));
	KT_ASSERT_EQ(((u8 *)phys_to_virt(pa))[7], 'b');

	/* Neither does the kernel writing into the space (exec's stack). */
	KT_ASSERT_EQ(vm_fault(mm, KT_ADDR + 2 * PAGE_SIZE, 0), 0);
	KT_ASSERT_EQ(kt_frame(mm, KT_ADDR + 2 * PAGE_SIZE, NULL), file2);
	KT_ASSERT_EQ(vm_write_direct(mm, KT_ADDR + 2 * PAGE_SIZE + 5, "zz", 2), 0);
	KT_ASSERT(kt_frame(mm, KT_ADDR + 2 * PAGE_SIZE, NULL) != file2);
	KT_ASSERT_EQ(kt_file_byte(f, 2 * PAGE_SIZE + 5), 'c');
	KT_ASSERT_EQ(upage_refs(file2), 1);

	/* Writes to the file show through a page still shared. */
	KT_ASSERT_EQ(vfs_write(f, VFS_KBUF("Q"), 1, &(u64){ 3 * PAGE_SIZE + 9 }), 1);
	KT_ASSERT_EQ(((u8 *)phys_to_virt(kt_frame(mm, KT_ADDR + 3 * PAGE_SIZE, NULL)))[9], 'Q');

	mm_put(mm);
	KT_ASSERT_EQ(upage_refs(file0), 1);
	KT_ASSERT_EQ(upage_refs(file3), 1);
	/* Only the file's frames are left: nothing of the space leaked (a
	 * slab page for the areas may stay cached). */
	KT_ASSERT(pmm_free_count() + 1 >= free_before);
	file_put(f);
	KT_ASSERT_EQ(vfs_umount(K, "/kt/vmshare", 0), 0);
}

KTEST(vm_private_file_page_fork_and_truncate)
{
	struct file *f = kt_file("/kt/vmfork", "/kt/vmfork/f");
	phys_addr_t file0, file1, pa;
	struct mm *mm, *child;

	KT_ASSERT(!IS_ERR(f));
	file0 = kt_file_frame(f, 0);
	file1 = kt_file_frame(f, 1);
	mm = mm_create();
	KT_ASSERT(mm);
	KT_ASSERT_EQ(vm_map_fixed(mm, KT_ADDR, KT_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
				  0, f, 0, KT_ADDR + KT_SIZE), 0);
	KT_ASSERT_EQ(vm_fault(mm, KT_ADDR, 0), 0);
	KT_ASSERT_EQ(vm_fault(mm, KT_ADDR + PAGE_SIZE, 0), 0);

	/* fork shares the file's frame three ways. */
	child = mm_fork(mm);
	KT_ASSERT(!IS_ERR(child));
	KT_ASSERT_EQ(kt_frame(child, KT_ADDR, NULL), file0);
	KT_ASSERT_EQ(upage_refs(file0), 3);
	/* The child's write is its own... */
	KT_ASSERT_EQ(vm_fault(child, KT_ADDR, VM_WRITE), 0);
	pa = kt_frame(child, KT_ADDR, NULL);
	KT_ASSERT(pa != file0);
	((u8 *)phys_to_virt(pa))[0] = 'C';
	KT_ASSERT_EQ(kt_frame(mm, KT_ADDR, NULL), file0);
	KT_ASSERT_EQ(upage_refs(file0), 2);
	/* ...and so is the parent's: the file's reference keeps it a copy. */
	KT_ASSERT_EQ(vm_fault(mm, KT_ADDR, VM_WRITE), 0);
	KT_ASSERT(kt_frame(mm, KT_ADDR, NULL) != file0);
	KT_ASSERT_EQ(((u8 *)phys_to_virt(kt_frame(mm, KT_ADDR, NULL)))[0], 'a');
	KT_ASSERT_EQ(kt_file_byte(f, 0), 'a');
	mm_put(child);

	/* Truncation: the mapping keeps the page it has, now its alone, so
	 * its write takes the frame back without a copy. */
	KT_ASSERT_EQ(vfs_ftruncate(f, 0), 0);
	KT_ASSERT_EQ(upage_refs(file1), 1);
	KT_ASSERT_EQ(((u8 *)phys_to_virt(file1))[0], 'b');
	KT_ASSERT_EQ(vm_fault(mm, KT_ADDR + PAGE_SIZE, VM_WRITE), 0);
	KT_ASSERT_EQ(kt_frame(mm, KT_ADDR + PAGE_SIZE, NULL), file1);
	/* A page never touched reads what the file has now: zeros. */
	KT_ASSERT_EQ(vm_fault(mm, KT_ADDR + 2 * PAGE_SIZE, 0), 0);
	KT_ASSERT_EQ(((u8 *)phys_to_virt(kt_frame(mm, KT_ADDR + 2 * PAGE_SIZE, NULL)))[0], 0);
	mm_put(mm);
	file_put(f);
	KT_ASSERT_EQ(vfs_umount(K, "/kt/vmfork", 0), 0);
}

/* A page the area shows zeros in (file_end inside it, the file going on)
 * must be a copy: the file's page has data there. */
KTEST(vm_private_file_partial_page_is_copied)
{
	struct file *f = kt_file("/kt/vmpart", "/kt/vmpart/f");
	phys_addr_t pa;
	struct mm *mm;
	u8 *p;

	KT_ASSERT(!IS_ERR(f));
	mm = mm_create();
	KT_ASSERT(mm);
	KT_ASSERT_EQ(vm_map_fixed(mm, KT_ADDR, PAGE_SIZE, PROT_READ | PROT_EXEC, 0, f,
				  PAGE_SIZE, KT_ADDR + 100), 0);
	KT_ASSERT_EQ(vm_fault(mm, KT_ADDR, VM_EXEC), 0);
	pa = kt_frame(mm, KT_ADDR, NULL);
	KT_ASSERT(pa && pa != kt_file_frame(f, 1));
	p = phys_to_virt(pa);
	KT_ASSERT(p[99] == 'b' && p[100] == 0 && p[PAGE_SIZE - 1] == 0);
	mm_put(mm);
	file_put(f);
	KT_ASSERT_EQ(vfs_umount(K, "/kt/vmpart", 0), 0);
}
