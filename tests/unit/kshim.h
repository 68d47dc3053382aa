/*
 * The kernel services the buffer cache and ext2 use, for host tests and
 * the fuzzer: mutexes and completions on pthreads, kmalloc on malloc, the
 * log on stdout, and block devices backed by a file or by memory.
 */
#ifndef VIREO_TESTS_KSHIM_H
#define VIREO_TESTS_KSHIM_H

#include "kernel/block/block.h"

/* A block device over the image file path (read-write unless ro). */
struct block_device *kshim_bdev_file(const char *path, bool ro);
/* A block device over len bytes of memory (the caller's, not copied). */
struct block_device *kshim_bdev_mem(void *mem, size_t len, bool ro);
void kshim_bdev_free(struct block_device *bd);

/* Fail device writes from now on (a full disk that lies; I/O errors). */
void kshim_bdev_fail_writes(struct block_device *bd, bool fail);
/* Requests and flushes the device has seen. */
u64 kshim_bdev_requests(struct block_device *bd);
u64 kshim_bdev_flushes(struct block_device *bd);

/* Silence klog (the fuzzer). */
extern bool kshim_quiet;
/* Lines logged at LOG_ERR or worse so far. */
extern unsigned long kshim_errors;

#endif
