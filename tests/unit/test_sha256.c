// uses: kernel/lib/sha256.c
/* SHA-256 against the FIPS 180-4 / NIST examples, fed in odd chunks. */
#include "tests/unit/unit.h"
#include "kernel/lib/sha256.h"

static void hash_hex(const void *d, size_t n, size_t chunk, char out[65])
{
	struct sha256 s;
	u8 dg[32];
	const u8 *p = d;

	sha256_init(&s);
	while (n) {
		size_t c = n < chunk ? n : chunk;

		sha256_update(&s, p, c);
		p += c;
		n -= c;
	}
	sha256_final(&s, dg);
	sha256_hex(dg, out);
}

UNIT_TEST(nist_vectors)
{
	char h[65];
	const char *m2 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	hash_hex("", 0, 1, h);
	EXPECT_STREQ(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hash_hex("abc", 3, 1, h);
	EXPECT_STREQ(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	for (size_t chunk = 1; chunk < 70; chunk += 7) {
		hash_hex(m2, strlen(m2), chunk, h);
		EXPECT_STREQ(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	}
}

UNIT_TEST(million_a)
{
	static char a[1000000];
	char h[65];

	memset(a, 'a', sizeof(a));
	hash_hex(a, sizeof(a), 4096 + 3, h);
	EXPECT_STREQ(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
