/*
 * Shared frames: a frame that user address spaces map, counted in struct
 * page's `refs`. One reference per holder: each mapping of it in a user
 * address space (kernel/proc/vm.c), and a file system's page cache when
 * the frame is a file's page (tmpfs keeps its file data in such frames
 * and lends them to private mappings read-only; see vm.h). The last
 * reference frees the frame, whoever drops it: a file truncated while
 * mapped leaves its old pages with the mappings, which free them when
 * they go.
 *
 * A frame that was ever mapped executable is overwritten whole before it
 * is freed: under TCG a frame that held user code keeps its translations,
 * keyed by physical address, until each translated byte is written, and
 * until then every write into that page, by whoever gets the frame next
 * (a kernel stack, a slab page, a pipe buffer), takes QEMU's
 * self-modifying-code slow path. A pipe ping-pong whose buffers landed
 * there ran 7x slower (bench/proc.md). Mappings report it as they drop
 * their reference (upage_put's exec), which marks the frame PG_TEXT, so a
 * file page that was executed and later freed by its file system is
 * scrubbed too.
 *
 * All of it is atomic; no lock.
 */
#ifndef VIREO_MM_UPAGE_H
#define VIREO_MM_UPAGE_H

#include "kernel/lib/types.h"

/* A zeroed frame with one reference, or 0 if memory is out. */
phys_addr_t upage_alloc(void);
void upage_get(phys_addr_t pa);
/* Drop a reference; exec: the dropper had the frame mapped executable.
 * The last reference frees the frame (scrubbed if it was ever PG_TEXT). */
void upage_put(phys_addr_t pa, bool exec);
/* References now: 1 means the caller's is the only one (if it holds
 * one, nobody else can take a new one without it). */
u32 upage_refs(phys_addr_t pa);

#endif
