/*
 * The kernel's random numbers. Entropy sources (virtio-rng, interrupt
 * timing) add bytes with random_add_entropy() and say how many bits of
 * entropy they carry; get_random_bytes() reads a ChaCha20 stream keyed by
 * everything mixed in so far. getrandom(2) and /dev/random read this.
 */
#ifndef VIREO_LIB_RANDOM_H
#define VIREO_LIB_RANDOM_H

#include "kernel/lib/types.h"

#define RANDOM_READY_BITS 256   /* credited bits before "seeded" */

void random_add_entropy(const void *buf, size_t len, unsigned bits);
void get_random_bytes(void *buf, size_t len);
/* Entropy credited so far, saturating at RANDOM_POOL_BITS. */
unsigned random_entropy_bits(void);
bool random_ready(void);

#define RANDOM_POOL_BITS 4096

#endif
