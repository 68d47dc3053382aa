/* The ChaCha20 block function (RFC 8439 §2.3): the kernel's random
 * generator's core. Pure code, unit-tested against the RFC's vectors. */
#ifndef VIREO_LIB_CHACHA20_H
#define VIREO_LIB_CHACHA20_H

#include "kernel/lib/types.h"

#define CHACHA20_KEY_SIZE   32
#define CHACHA20_BLOCK_SIZE 64

/* out = ChaCha20 block for (key, counter, nonce): 64 bytes. */
void chacha20_block(const u8 key[CHACHA20_KEY_SIZE], u32 counter,
		    const u8 nonce[12], u8 out[CHACHA20_BLOCK_SIZE]);

#endif
