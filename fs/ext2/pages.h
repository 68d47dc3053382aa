/*
 * ext2's page cache for private mappings (f_op->get_page, vfs/vfs.h):
 * whole pages of a regular file, read once through ext2_read and then
 * lent to every mapping that reads them, so that every exec of a binary
 * maps the same frames. ext2's own reads and writes still go through the
 * buffer cache; these pages are a second copy, kept coherent by dropping
 * them: a write drops the pages it touched and a truncation those from
 * the new end on. Mappings keep the page they have (a snapshot of the
 * file when it was first mapped there), and the next fault anywhere
 * reads the file anew.
 *
 * The pages are held until the inode is evicted or the file changes; all
 * of them together are limited to EXT2_PAGES_MAX_FRACTION of RAM, beyond
 * which faults get copies as before.
 *
 * Locking: each inode's page table has its own mutex, taken under the
 * faulting process's mm->lock and never around the file's data writes
 * (a write may fault on a mapping of the file it writes).
 */
#ifndef VIREO_FS_EXT2_PAGES_H
#define VIREO_FS_EXT2_PAGES_H

#include "kernel/lib/types.h"

struct file;
struct inode;

#define EXT2_PAGES_MAX_FRACTION 16      /* at most 1/16 of RAM */

/* f_op->get_page for regular ext2 files. */
int ext2_get_page(struct file *f, u64 pos, phys_addr_t *pa);
/* The file's bytes [from, to) changed (to: ~0 for "to the end"). */
void ext2_pages_drop(struct inode *inode, u64 from, u64 to);
/* Eviction: every page and the table. */
void ext2_pages_free(struct inode *inode);

#endif
