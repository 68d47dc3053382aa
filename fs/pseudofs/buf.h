/*
 * Growable text buffers for generated files (procfs, sysfs).
 *
 * A generated file is formatted once, whole, into a pfs_buf when it is
 * opened, and reads are served from that snapshot: a reader that takes it
 * in small chunks sees one consistent state, never a mix of two.
 *
 * Every append grows the buffer as needed (kmalloc, doubling, at most
 * PFS_BUF_MAX); an allocation failure or overflow sets err (-ENOMEM,
 * -EFBIG) and makes every later append a no-op, so generators write
 * straight-line code and the caller checks err once at the end.
 */
#ifndef VIREO_FS_PSEUDOFS_BUF_H
#define VIREO_FS_PSEUDOFS_BUF_H

#include "kernel/lib/types.h"
#include "kernel/lib/compiler.h"

#define PFS_BUF_MAX (1u << 20)

struct pfs_buf {
	char *data;
	size_t len;
	size_t cap;
	int err;
};

void pfs_buf_init(struct pfs_buf *b);
void pfs_buf_free(struct pfs_buf *b);
void pfs_printf(struct pfs_buf *b, const char *fmt, ...) __printf(2, 3);
void pfs_write(struct pfs_buf *b, const void *p, size_t n);
/* Room for n more bytes at data + len (then pfs_commit what was used):
 * NULL (and err set) if it cannot be had. */
void *pfs_reserve(struct pfs_buf *b, size_t n);
void pfs_commit(struct pfs_buf *b, size_t n);

#endif
