/*
 * Entropy pool and generator.
 *
 * State: a 32-byte ChaCha20 key and a block counter, under random_lock
 * (irqsave: sources add from interrupt handlers). Adding entropy XORs the
 * input into the key 32 bytes at a time and then re-derives the key from a
 * ChaCha20 block of the result, so every input byte affects every key
 * bit. Reading produces ChaCha20 blocks and then replaces the key with
 * fresh output ("fast key erasure"): earlier output cannot be recomputed
 * from a later state. Entropy is counted, not estimated: a source says
 * how many bits its bytes carry.
 */
#include "kernel/lib/random.h"
#include "kernel/lib/chacha20.h"
#include "kernel/lib/string.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/sched/spinlock.h"

static struct spinlock random_lock = SPINLOCK_INIT("random");
static u8 random_key[CHACHA20_KEY_SIZE];        /* random_lock */
static u32 random_counter;                      /* random_lock */
static u64 random_nonce;                        /* random_lock */
static unsigned random_bits;                    /* random_lock */

static void random_rekey_locked(void)
{
	u8 block[CHACHA20_BLOCK_SIZE];
	u8 nonce[12] = { 0 };

	memcpy(nonce, &random_nonce, sizeof(random_nonce));
	chacha20_block(random_key, random_counter++, nonce, block);
	if (!random_counter)
		random_nonce++;
	memcpy(random_key, block + 32, CHACHA20_KEY_SIZE);
	memset(block, 0, sizeof(block));
}

void random_add_entropy(const void *buf, size_t len, unsigned bits)
{
	const u8 *in = buf;
	unsigned long f = spin_lock_irqsave(&random_lock);
	u64 tsc = rdtsc();

	/* The timestamp costs nothing and is credited nothing. */
	for (size_t i = 0; i < sizeof(tsc); i++)
		random_key[i] ^= (u8)(tsc >> (8 * i));
	for (size_t i = 0; i < len; i++) {
		random_key[i % CHACHA20_KEY_SIZE] ^= in[i];
		if (i % CHACHA20_KEY_SIZE == CHACHA20_KEY_SIZE - 1)
			random_rekey_locked();
	}
	random_rekey_locked();
	random_bits = MIN(random_bits + bits, (unsigned)RANDOM_POOL_BITS);
	spin_unlock_irqrestore(&random_lock, f);
}

void get_random_bytes(void *buf, size_t len)
{
	u8 *out = buf;
	u8 block[CHACHA20_BLOCK_SIZE];
	u8 nonce[12] = { 0 };
	unsigned long f = spin_lock_irqsave(&random_lock);

	memcpy(nonce, &random_nonce, sizeof(random_nonce));
	while (len) {
		size_t n = MIN(len, sizeof(block));

		chacha20_block(random_key, random_counter++, nonce, block);
		if (!random_counter)
			random_nonce++;
		memcpy(out, block, n);
		out += n;
		len -= n;
	}
	random_rekey_locked();
	memset(block, 0, sizeof(block));
	spin_unlock_irqrestore(&random_lock, f);
}

unsigned random_entropy_bits(void)
{
	return READ_ONCE(random_bits);
}

bool random_ready(void)
{
	return random_entropy_bits() >= RANDOM_READY_BITS;
}
