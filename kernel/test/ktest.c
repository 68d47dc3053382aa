/* The in-kernel test runner (see ktest.h). */
#include "kernel/test/ktest.h"
#include "kernel/arch/x86_64/traps.h"
#include "kernel/lib/log.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"

extern const struct ktest __ktests_start[], __ktests_end[];

void ktest_fail(struct ktest_ctx *kt, const char *file, int line,
		const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kt->failed = true;
	pr_err("KTEST FAIL %s: %s (%s:%d)\n", kt->name, msg, file, line);
}

/* Does name match one of the comma-separated globs? An empty pattern
 * list (plain `test`) selects every non-manual test. */
static bool ktest_selected(const struct ktest *t, const char *patterns)
{
	char pat[64];
	const char *p = patterns;

	if (!*patterns)
		return !t->manual;
	while (*p) {
		size_t n = 0;

		while (p[n] && p[n] != ',')
			n++;
		if (n < sizeof(pat)) {
			memcpy(pat, p, n);
			pat[n] = '\0';
			if (t->manual ? !strcmp(pat, t->name) : glob_match(pat, t->name))
				return true;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

struct ktest_call {
	const struct ktest *test;
	struct ktest_ctx *ctx;
};

static void ktest_trampoline(void *arg)
{
	struct ktest_call *call = arg;

	call->test->fn(call->ctx);
}

/* Source order: the linker keeps section order per object file, but the
 * compiler may emit a file's tests in any order. */
static int ktest_cmp(const struct ktest *a, const struct ktest *b)
{
	int c = strcmp(a->file, b->file);

	return c ? c : a->line - b->line;
}

static const struct ktest *ktest_next(const struct ktest *prev)
{
	const struct ktest *best = NULL;

	for (const struct ktest *t = __ktests_start; t < __ktests_end; t++)
		if ((!prev || ktest_cmp(t, prev) > 0) &&
		    (!best || ktest_cmp(t, best) < 0))
			best = t;
	return best;
}

/* Log a multi-line report one line at a time (log lines are bounded). */
static void ktest_print_report(const char *r)
{
	while (*r) {
		const char *nl = strchr(r, '\n');
		int n = nl ? (int)(nl - r) : (int)strlen(r);

		pr_err("%.*s\n", n, r);
		r += n + (nl ? 1 : 0);
	}
}

int ktest_run(const char *patterns)
{
	static char report[4096];
	int passed = 0, failed = 0;
	const struct ktest *t = NULL;

	pr_notice("KTEST BEGIN %s\n", *patterns ? patterns : "(all)");
	while ((t = ktest_next(t))) {
		struct ktest_ctx kt = { .name = t->name };
		struct ktest_call call = { t, &kt };
		struct trap_catch tc;
		int trapped;

		if (!ktest_selected(t, patterns))
			continue;
		pr_notice("KTEST START %s\n", t->name);
		if (t->fatal) {
			t->fn(&kt);
			trapped = 0;
		} else {
			trapped = trap_catch_call(&tc, report, sizeof(report),
						  ktest_trampoline, &call);
		}
		if (trapped) {
			kt.failed = true;
			pr_err("KTEST FAIL %s: unexpected %s at %p\n", t->name,
			       trap_name((unsigned)tc.vector), (void *)tc.rip);
			ktest_print_report(report);
		}
		if (kt.failed) {
			failed++;
		} else {
			passed++;
			pr_notice("KTEST PASS %s\n", t->name);
		}
	}
	pr_notice("KTEST SUMMARY passed=%d failed=%d\n", passed, failed);
	return failed;
}
