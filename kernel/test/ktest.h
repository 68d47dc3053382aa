/*
 * In-kernel tests. A test is a function registered in the .ktests linker
 * section:
 *
 *   KTEST(vq_wraps_at_65535) { KT_ASSERT_EQ(x, 3); ... }
 *
 * Booting with `test` runs every test, `test=PATTERN[,PATTERN...]` those
 * whose name matches a glob. Each reports over the console as
 * "KTEST PASS name" or "KTEST FAIL name: expression (file:line)", and the
 * kernel powers off with status 0 (all passed) or 1. A test that takes an
 * unexpected exception fails with the exception report; the run goes on.
 *
 * KTEST_MANUAL tests run only when named exactly; KTEST_FATAL ones too,
 * and outside any trap catch, for deliberate panics and fatal faults.
 * Tests run in source order (file name, then line).
 */
#ifndef VIREO_TEST_KTEST_H
#define VIREO_TEST_KTEST_H

#include "kernel/lib/types.h"
#include "kernel/lib/compiler.h"

struct ktest_ctx {
	const char *name;
	bool failed;
};

struct ktest {
	const char *name;
	void (*fn)(struct ktest_ctx *kt);
	const char *file;
	int line;
	bool manual;            /* runs only when named exactly */
	bool fatal;             /* runs outside any trap catch: may panic */
};

#define KTEST_DEFINE_(tname, is_manual, is_fatal)                                      \
	static void ktest_fn_##tname(struct ktest_ctx *kt);                  \
	static const struct ktest ktest_desc_##tname                         \
		__used __section(".ktests") __aligned(8) = {                 \
			.name = #tname, .fn = ktest_fn_##tname,              \
			.file = __FILE__, .line = __LINE__,                  \
			.manual = is_manual, .fatal = is_fatal,              \
		};                                                           \
	static __noinline void ktest_fn_##tname(struct ktest_ctx *kt)

#define KTEST(tname)        KTEST_DEFINE_(tname, false, false)
#define KTEST_MANUAL(tname) KTEST_DEFINE_(tname, true, false)
#define KTEST_FATAL(tname)  KTEST_DEFINE_(tname, true, true)

void ktest_fail(struct ktest_ctx *kt, const char *file, int line,
		const char *fmt, ...) __printf(4, 5);

#define KT_ASSERT(cond)                                                      \
	do {                                                                 \
		if (!(cond)) {                                               \
			ktest_fail(kt, __FILE__, __LINE__, "%s", #cond);     \
			return;                                              \
		}                                                            \
	} while (0)

#define KT_ASSERT_EQ(a, b)                                                   \
	do {                                                                 \
		long long a_ = (long long)(a), b_ = (long long)(b);          \
		if (a_ != b_) {                                              \
			ktest_fail(kt, __FILE__, __LINE__,                   \
				   "%s == %s (%lld != %lld)", #a, #b, a_, b_); \
			return;                                              \
		}                                                            \
	} while (0)

#define KT_ASSERT_STR_CONTAINS(hay, needle)                                  \
	do {                                                                 \
		if (!strstr((hay), (needle))) {                              \
			ktest_fail(kt, __FILE__, __LINE__,                   \
				   "%s contains \"%s\"", #hay, (needle));    \
			return;                                              \
		}                                                            \
	} while (0)

/* Run the tests the command line selects; returns the number that failed. */
int ktest_run(const char *patterns);

#endif
