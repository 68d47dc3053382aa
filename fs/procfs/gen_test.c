/*
 * KTESTs of the /proc generators against the kernel objects they describe
 * (the files through the VFS are tested in tests.c).
 */
#include "fs/procfs/internal.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/irq.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/pmm.h"
#include "kernel/proc/proc.h"
#include "kernel/sched/sched.h"
#include "kernel/test/ktest.h"
#include "kernel/time/clock.h"
#include "virtio/virtio.h"

/* The number after "key" in text (skipping spaces), or ~0 if absent. */
static u64 gen_field(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	u64 v = 0;

	if (!p)
		return ~0ull;
	p += strlen(key);
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p < '0' || *p > '9')
		return ~0ull;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (u64)(*p++ - '0');
	return v;
}

static u32 gen_count(const char *text, const char *needle)
{
	u32 n = 0;

	for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

KTEST(procfs_meminfo_matches_pmm)
{
	struct pfs_buf b;
	u64 free_before = pmm_free_count(), free_after, free_kb;

	pfs_buf_init(&b);
	KT_ASSERT_EQ(procfs_show_meminfo(&b), 0);
	pfs_printf(&b, "%c", 0);
	free_after = pmm_free_count();
	KT_ASSERT_EQ(b.err, 0);
	KT_ASSERT_EQ(gen_field(b.data, "MemTotal:"), pmm_total_count() * 4);
	free_kb = gen_field(b.data, "MemFree:");
	/* The buffer itself may have taken or returned frames meanwhile. */
	KT_ASSERT(free_kb + 64 * 4 >= (free_before < free_after ? free_before : free_after) * 4);
	KT_ASSERT(free_kb <= (free_before > free_after ? free_before : free_after) * 4 + 64 * 4);
	KT_ASSERT_EQ(gen_field(b.data, "SwapTotal:"), 0);
	/* Linux's column layout: value right-aligned to column 24. */
	KT_ASSERT(!memcmp(b.data, "MemTotal:       ", 16));
	KT_ASSERT(!memcmp(strchr(b.data, '\n') - 3, " kB", 3));
	pfs_buf_free(&b);
}

KTEST(procfs_cpuinfo_one_block_per_cpu)
{
	struct pfs_buf b;

	pfs_buf_init(&b);
	KT_ASSERT_EQ(procfs_show_cpuinfo(&b), 0);
	pfs_printf(&b, "%c", 0);
	KT_ASSERT_EQ(b.err, 0);
	KT_ASSERT_EQ(gen_count(b.data, "processor\t: "), cpu_count());
	KT_ASSERT_EQ(gen_count(b.data, "\napicid\t\t: "), cpu_count());
	KT_ASSERT_EQ(gen_field(b.data, "processor\t:"), 0);
	KT_ASSERT_STR_CONTAINS(b.data, " lm");  /* a 64-bit CPU says so */
	KT_ASSERT_STR_CONTAINS(b.data, "flags\t\t: fpu");
	pfs_buf_free(&b);
}

static u64 stat_switches(void)
{
	struct sched_cpu_stats st;
	u64 n = 0;

	for (u32 i = 0; i < cpu_count(); i++) {
		sched_cpu_stats(i, &st);
		n += st.switches;
	}
	return n;
}

KTEST(procfs_uptime_and_stat_follow_the_clock)
{
	struct pfs_buf b;
	u64 before = ktime_get() / NSEC_PER_SEC, after, up, switches_before;
	char name[16];

	pfs_buf_init(&b);
	KT_ASSERT_EQ(procfs_show_uptime(&b), 0);
	pfs_printf(&b, "%c", 0);
	after = ktime_get() / NSEC_PER_SEC;
	KT_ASSERT_EQ(b.err, 0);
	up = gen_field(b.data, "");
	KT_ASSERT(up >= before && up <= after);
	pfs_buf_free(&b);

	switches_before = stat_switches();
	pfs_buf_init(&b);
	KT_ASSERT_EQ(procfs_show_stat(&b), 0);
	pfs_printf(&b, "%c", 0);
	KT_ASSERT_EQ(b.err, 0);
	KT_ASSERT(!memcmp(b.data, "cpu  0 0 ", 9));
	for (u32 i = 0; i < cpu_count(); i++) {
		ksnprintf(name, sizeof(name), "\ncpu%u 0 0 ", i);
		KT_ASSERT_STR_CONTAINS(b.data, name);
	}
	ksnprintf(name, sizeof(name), "\ncpu%u ", cpu_count());
	KT_ASSERT(!strstr(b.data, name));
	KT_ASSERT(gen_field(b.data, "\nctxt") >= switches_before);
	KT_ASSERT(gen_field(b.data, "\nctxt") <= stat_switches());
	KT_ASSERT(gen_field(b.data, "\nprocs_running") >= 1);
	pfs_buf_free(&b);
}

KTEST(procfs_loadavg_counts_tasks)
{
	struct pfs_buf b;
	u32 total, last, active = procfs_nr_active(&total, &last);
	char want[32];

	KT_ASSERT(active >= 1);         /* this test is running */
	/* The last pid is a process's; a test boot has none. */
	KT_ASSERT(total >= active && last == (proc_count() ? last : 0));
	pfs_buf_init(&b);
	KT_ASSERT_EQ(procfs_show_loadavg(&b), 0);
	pfs_printf(&b, "%c", 0);
	KT_ASSERT_EQ(b.err, 0);
	ksnprintf(want, sizeof(want), "/%u %u\n", total, last);
	KT_ASSERT_STR_CONTAINS(b.data, want);
	KT_ASSERT_EQ(gen_count(b.data, "."), 3);
	pfs_buf_free(&b);
}

/* The count the file shows for vector v, summed over CPUs, or ~0. */
static u64 interrupts_row_sum(const char *text, int v)
{
	char key[8];
	const char *p;
	u64 sum = 0;

	ksnprintf(key, sizeof(key), "\n%3d: ", v);
	p = strstr(text, key);
	if (!p)
		return ~0ull;
	p += strlen(key);
	for (u32 c = 0; c < cpu_count(); c++) {
		u64 n = 0;

		while (*p == ' ')
			p++;
		while (*p >= '0' && *p <= '9')
			n = n * 10 + (u64)(*p++ - '0');
		sum += n;
	}
	return sum;
}

KTEST(procfs_interrupts_rows_match_irq_counts)
{
	struct pfs_buf b;
	struct irq_vector_info info;
	u64 before[256];
	u8 buf[16];
	int rows = 0;

	for (int v = 0; v < 256; v++)
		before[v] = irq_vector_count(v);
	pfs_buf_init(&b);
	KT_ASSERT_EQ(procfs_show_interrupts(&b), 0);
	pfs_printf(&b, "%c", 0);
	KT_ASSERT_EQ(b.err, 0);
	KT_ASSERT_STR_CONTAINS(b.data, "CPU0");
	KT_ASSERT_STR_CONTAINS(b.data, "\nLOC: ");
	for (int v = IRQ_VECTOR_PIC_BASE; v <= IRQ_VECTOR_DYN_LAST; v++) {
		u64 sum = interrupts_row_sum(b.data, v);

		if (!irq_vector_info(v, &info)) {
			KT_ASSERT_EQ(sum, ~0ull);
			continue;
		}
		rows++;
		KT_ASSERT(sum >= before[v] && sum <= irq_vector_count(v));
	}
	/* With a virtio-rng device, its queue's MSI-X row grows with I/O. */
	if (virtio_rng_read(buf, sizeof(buf), 1000000) > 0) {
		KT_ASSERT(rows > 0);
		KT_ASSERT_STR_CONTAINS(b.data, "PCI-MSIX-");
		KT_ASSERT_STR_CONTAINS(b.data, ".0\n");
	}
	pfs_buf_free(&b);
}

KTEST(procfs_buf_grows_and_fails_cleanly)
{
	struct pfs_buf b;

	pfs_buf_init(&b);
	for (int i = 0; i < 1000; i++)
		pfs_printf(&b, "line %04d of many\n", i);
	KT_ASSERT_EQ(b.err, 0);
	KT_ASSERT_EQ(b.len, 1000 * 18);
	KT_ASSERT(!memcmp(b.data + 999 * 18, "line 0999 of many\n", 18));
	/* Past the cap the buffer refuses and stays refused. */
	KT_ASSERT(pfs_reserve(&b, PFS_BUF_MAX) == NULL);
	KT_ASSERT_EQ(b.err, -EFBIG);
	pfs_printf(&b, "more");
	KT_ASSERT_EQ(b.len, 1000 * 18);
	pfs_buf_free(&b);
}
