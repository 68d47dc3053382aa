/*
 * /proc/cpuinfo: one block per online CPU, from CPUID, in Linux's x86
 * layout (arch/x86/kernel/cpu/proc.c there: "name\t: value"). CPUID is
 * executed on the reading CPU; QEMU gives every vCPU the same model, and
 * the per-CPU fields (processor, apicid) come from struct cpu.
 */
#include "fs/procfs/internal.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/lib/string.h"
#include "kernel/time/clock.h"

/* Linux's flag names for CPUID bits (arch/x86/include/asm/cpufeatures.h),
 * by bit; NULL where Linux shows nothing. */
static const char *const cpuid_1_edx[32] = {
	"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce",
	"cx8", "apic", NULL, "sep", "mtrr", "pge", "mca", "cmov",
	"pat", "pse36", "pn", "clflush", NULL, "dts", "acpi", "mmx",
	"fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe",
};
static const char *const cpuid_1_ecx[32] = {
	"pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx", "smx", "est",
	"tm2", "ssse3", "cid", "sdbg", "fma", "cx16", "xtpr", "pdcm",
	NULL, "pcid", "dca", "sse4_1", "sse4_2", "x2apic", "movbe", "popcnt",
	"tsc_deadline_timer", "aes", "xsave", NULL, "avx", "f16c", "rdrand",
	"hypervisor",
};
static const char *const cpuid_81_edx[32] = {
	[11] = "syscall", [20] = "nx", [22] = "mmxext", [25] = "fxsr_opt",
	[26] = "pdpe1gb", [27] = "rdtscp", [29] = "lm", [30] = "3dnowext",
	[31] = "3dnow",
};
static const char *const cpuid_81_ecx[32] = {
	[0] = "lahf_lm", [1] = "cmp_legacy", [2] = "svm", [3] = "extapic",
	[4] = "cr8_legacy", [5] = "abm", [6] = "sse4a", [7] = "misalignsse",
	[8] = "3dnowprefetch", [11] = "xop", [16] = "fma4", [21] = "tbm",
};
static const char *const cpuid_7_ebx[32] = {
	[0] = "fsgsbase", [3] = "bmi1", [4] = "hle", [5] = "avx2",
	[7] = "smep", [8] = "bmi2", [9] = "erms", [10] = "invpcid",
	[11] = "rtm", [16] = "avx512f", [18] = "rdseed", [19] = "adx",
	[20] = "smap", [23] = "clflushopt", [24] = "clwb", [29] = "sha_ni",
};

static void cpuinfo_flags(struct pfs_buf *b, const char *const names[32], u32 bits)
{
	for (unsigned i = 0; i < 32; i++)
		if ((bits >> i) & 1 && names[i])
			pfs_printf(b, " %s", names[i]);
}

struct cpuinfo_ids {
	char vendor[13];
	char model_name[49];
	u32 max_leaf, max_ext;
	u32 family, model, stepping;
	u32 clflush;
	u32 phys_bits, virt_bits;
	u32 f1_ecx, f1_edx, f7_ebx, f81_ecx, f81_edx;
};

static void cpuinfo_read(struct cpuinfo_ids *id)
{
	u32 a, b, c, d;

	memset(id, 0, sizeof(*id));
	cpuid(0, 0, &id->max_leaf, &b, &c, &d);
	memcpy(id->vendor, &b, 4);
	memcpy(id->vendor + 4, &d, 4);
	memcpy(id->vendor + 8, &c, 4);
	if (id->max_leaf >= 1) {
		cpuid(1, 0, &a, &b, &id->f1_ecx, &id->f1_edx);
		/* SDM vol 2A, CPUID leaf 1: display family and model. */
		id->family = (a >> 8) & 0xf;
		id->model = (a >> 4) & 0xf;
		if (id->family == 0xf)
			id->family += (a >> 20) & 0xff;
		if (id->family >= 6)
			id->model |= ((a >> 16) & 0xf) << 4;
		id->stepping = a & 0xf;
		id->clflush = ((b >> 8) & 0xff) * 8;
	}
	if (id->max_leaf >= 7)
		cpuid(7, 0, &a, &id->f7_ebx, &c, &d);
	cpuid(0x80000000, 0, &id->max_ext, &b, &c, &d);
	if (id->max_ext >= 0x80000001)
		cpuid(0x80000001, 0, &a, &b, &id->f81_ecx, &id->f81_edx);
	if (id->max_ext >= 0x80000004) {
		u32 *w = (u32 *)id->model_name;

		for (u32 leaf = 0; leaf < 3; leaf++)
			cpuid(0x80000002 + leaf, 0, &w[leaf * 4], &w[leaf * 4 + 1],
			      &w[leaf * 4 + 2], &w[leaf * 4 + 3]);
	}
	if (id->max_ext >= 0x80000008) {
		cpuid(0x80000008, 0, &a, &b, &c, &d);
		id->phys_bits = a & 0xff;
		id->virt_bits = (a >> 8) & 0xff;
	}
}

int procfs_show_cpuinfo(struct pfs_buf *b)
{
	struct cpuinfo_ids id;
	u64 khz = clock_tsc_khz();
	u32 n = cpu_count();
	const char *name;

	cpuinfo_read(&id);
	name = id.model_name;
	while (*name == ' ')
		name++;
	for (u32 i = 0; i < n; i++) {
		struct cpu *c = cpu_get(i);

		if (!c)
			continue;
		pfs_printf(b, "processor\t: %u\nvendor_id\t: %s\ncpu family\t: %u\n"
			   "model\t\t: %u\nmodel name\t: %s\nstepping\t: %u\n",
			   i, id.vendor, id.family, id.model, name, id.stepping);
		pfs_printf(b, "cpu MHz\t\t: %llu.%03llu\n",
			   (unsigned long long)(khz / 1000),
			   (unsigned long long)(khz % 1000));
		pfs_printf(b, "physical id\t: 0\nsiblings\t: %u\ncore id\t\t: %u\n"
			   "cpu cores\t: %u\napicid\t\t: %u\ninitial apicid\t: %u\n"
			   "fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: %u\n"
			   "wp\t\t: yes\nflags\t\t:", n, i, n, c->apic_id, c->apic_id,
			   id.max_leaf);
		cpuinfo_flags(b, cpuid_1_edx, id.f1_edx);
		cpuinfo_flags(b, cpuid_81_edx, id.f81_edx);
		cpuinfo_flags(b, cpuid_1_ecx, id.f1_ecx);
		cpuinfo_flags(b, cpuid_81_ecx, id.f81_ecx);
		cpuinfo_flags(b, cpuid_7_ebx, id.f7_ebx);
		/* Linux's bogomips on x86: twice the TSC frequency in MHz. */
		pfs_printf(b, "\nbogomips\t: %llu.%02llu\nclflush size\t: %u\n"
			   "cache_alignment\t: %u\n"
			   "address sizes\t: %u bits physical, %u bits virtual\n"
			   "power management:\n\n",
			   (unsigned long long)(khz * 2 / 1000),
			   (unsigned long long)(khz * 2 / 10 % 100),
			   id.clflush, id.clflush, id.phys_bits, id.virt_bits);
	}
	return 0;
}
