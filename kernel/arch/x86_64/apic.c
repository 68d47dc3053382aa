/*
 * Local APIC driver (see apic.h). In xAPIC mode the registers are MMIO at
 * the physical base from IA32_APIC_BASE, reached through the early direct
 * map; in x2APIC mode register r is MSR 0x800 + r/16 and the ICR is one
 * 64-bit MSR (SDM vol 3 §12.12.1.2).
 */
#include "kernel/arch/x86_64/apic.h"
#include "kernel/mm/ioremap.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/irq.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/acpi/acpi.h"
#include "kernel/boot/boot_info.h"
#include "kernel/boot/cmdline.h"
#include "kernel/lib/log.h"
#include "kernel/time/clock.h"

#define MSR_APIC_BASE       0x1b
#define APIC_BASE_EXTD      (1u << 10)  /* x2APIC mode */
#define APIC_BASE_EN        (1u << 11)
#define APIC_BASE_ADDR_MASK 0xffffff000ULL
#define MSR_X2APIC_BASE     0x800
#define MSR_TSC_DEADLINE    0x6e0

/* Register offsets (SDM vol 3 table 11-1). */
#define APIC_ID       0x020
#define APIC_TPR      0x080
#define APIC_EOI      0x0b0
#define APIC_SVR      0x0f0
#define APIC_ESR      0x280
#define APIC_ICR_LO   0x300
#define APIC_ICR_HI   0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CUR  0x390
#define APIC_TIMER_DIV  0x3e0

#define APIC_SVR_ENABLE     (1u << 8)
#define APIC_LVT_MASKED     (1u << 16)
#define APIC_LVT_NMI        (4u << 8)
#define APIC_LVT_LEVEL      (1u << 15)
#define APIC_LVT_ACTIVE_LOW (1u << 13)
#define APIC_TIMER_TSC_DEADLINE (2u << 17)
#define APIC_TIMER_DIV_16   0x3
#define APIC_ICR_INIT       (5u << 8)
#define APIC_ICR_STARTUP    (6u << 8)
#define APIC_ICR_PENDING    (1u << 12)  /* xAPIC delivery status */
#define APIC_ICR_ASSERT     (1u << 14)
#define APIC_ICR_OTHERS     (3u << 18)  /* destination shorthand */

#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID1_ECX_X2APIC       (1u << 21)

static bool x2apic;
static volatile u32 *xapic_regs;        /* set once by the boot CPU */
static bool mode_chosen;                /* by the boot CPU's lapic_init */
static bool tsc_deadline;
static bool timer_ready;                /* mode reported, one-shot calibrated */
static u64 lapic_timer_khz;             /* one-shot counts per ms at DIV_16 */
/* Timer counts (TSC or LAPIC) per ns, 32.32: no division when arming. */
static u64 tsc_mult, lapic_mult;

static u32 lapic_read(u32 reg)
{
	if (x2apic)
		return (u32)rdmsr(MSR_X2APIC_BASE + (reg >> 4));
	return xapic_regs[reg / 4];
}

static void lapic_write(u32 reg, u32 v)
{
	if (x2apic)
		wrmsr(MSR_X2APIC_BASE + (reg >> 4), v);
	else
		xapic_regs[reg / 4] = v;
}

bool lapic_x2apic_mode(void)
{
	return x2apic;
}

u32 lapic_id(void)
{
	/* x2APIC: the whole register; xAPIC: bits 31:24. */
	return x2apic ? lapic_read(APIC_ID) : lapic_read(APIC_ID) >> 24;
}

void lapic_eoi(void)
{
	lapic_write(APIC_EOI, 0);
}

/* ---- LINT pins ------------------------------------------------------------ */

struct lint_ctx {
	u32 uid;                /* this CPU's ACPI processor UID */
	u32 apic_id;
	bool uid_known;
	bool nmi_pin[2];
	u16 nmi_flags[2];
};

static int lint_uid_entry(const struct acpi_madt_entry *e, void *arg)
{
	struct lint_ctx *ctx = arg;
	const struct acpi_madt_lapic *l = (const void *)e;
	const struct acpi_madt_x2apic *x = (const void *)e;

	if (e->type == ACPI_MADT_LAPIC && e->length >= sizeof(*l) &&
	    l->apic_id == ctx->apic_id) {
		ctx->uid = l->processor_uid;
		ctx->uid_known = true;
	} else if (e->type == ACPI_MADT_X2APIC && e->length >= sizeof(*x) &&
		   x->x2apic_id == ctx->apic_id) {
		ctx->uid = x->processor_uid;
		ctx->uid_known = true;
	}
	return 0;
}

static int lint_nmi_entry(const struct acpi_madt_entry *e, void *arg)
{
	struct lint_ctx *ctx = arg;
	const struct acpi_madt_lapic_nmi *n = (const void *)e;
	const struct acpi_madt_x2apic_nmi *xn = (const void *)e;
	u32 uid, lint;
	u16 flags;

	if (e->type == ACPI_MADT_LAPIC_NMI && e->length >= sizeof(*n)) {
		uid = n->processor_uid == 0xff ? 0xffffffff : n->processor_uid;
		lint = n->lint;
		flags = n->flags;
	} else if (e->type == ACPI_MADT_X2APIC_NMI && e->length >= sizeof(*xn)) {
		uid = xn->processor_uid;
		lint = xn->lint;
		flags = xn->flags;
	} else {
		return 0;
	}
	if (lint > 1 || (uid != 0xffffffff && (!ctx->uid_known || uid != ctx->uid)))
		return 0;
	ctx->nmi_pin[lint] = true;
	ctx->nmi_flags[lint] = flags;
	return 0;
}

/*
 * LINT0 is the 8259's ExtINT input: masked, the PICs are off. The MADT's
 * LAPIC NMI entries say which pin carries NMI (QEMU: LINT1, every CPU);
 * without a MADT we assume that PC convention.
 */
static void lapic_setup_lint(void)
{
	const struct acpi_madt *madt = acpi_madt();
	struct lint_ctx ctx = { .apic_id = lapic_id() };

	if (madt) {
		acpi_madt_walk(madt, lint_uid_entry, &ctx);
		acpi_madt_walk(madt, lint_nmi_entry, &ctx);
	} else {
		ctx.nmi_pin[1] = true;
	}
	for (int pin = 0; pin < 2; pin++) {
		u32 reg = pin ? APIC_LVT_LINT1 : APIC_LVT_LINT0;
		u32 v = APIC_LVT_MASKED;

		if (ctx.nmi_pin[pin]) {
			v = APIC_LVT_NMI;
			if ((ctx.nmi_flags[pin] & ACPI_MPS_POLARITY_MASK) == ACPI_MPS_POLARITY_LOW)
				v |= APIC_LVT_ACTIVE_LOW;
			if ((ctx.nmi_flags[pin] & ACPI_MPS_TRIGGER_MASK) == ACPI_MPS_TRIGGER_LEVEL)
				v |= APIC_LVT_LEVEL;
		}
		lapic_write(reg, v);
	}
}

/* ---- bring-up ------------------------------------------------------------- */

static void lapic_error_irq(void *ctx)
{
	u32 esr;

	/* SDM vol 3 §11.5.3: write ESR to latch the errors, then read. */
	lapic_write(APIC_ESR, 0);
	esr = lapic_read(APIC_ESR);
	pr_warn("apic: cpu %u: APIC error, ESR %#x\n", lapic_id(), esr);
}

static void lapic_pick_mode(void)
{
	u32 a, b, c, d;
	u64 base = rdmsr(MSR_APIC_BASE);

	cpuid(1, 0, &a, &b, &c, &d);
	x2apic = (c & CPUID1_ECX_X2APIC) &&
		 !cmdline_get(boot_info->cmdline, "nox2apic", NULL, 0);
	tsc_deadline = c & CPUID1_ECX_TSC_DEADLINE;
	if (!x2apic) {
		xapic_regs = ioremap(base & APIC_BASE_ADDR_MASK, PAGE_SIZE);
		if (!xapic_regs)
			panic("apic: cannot map the local APIC");
	}
	irq_set_system_handler(IRQ_VECTOR_APIC_ERROR, lapic_error_irq, NULL);
}

void lapic_init(void)
{
	u64 base;

	if (!mode_chosen) {
		lapic_pick_mode();
		mode_chosen = true;
	}
	/* x2APIC is entered from enabled xAPIC mode (SDM vol 3 §12.12.5). */
	base = rdmsr(MSR_APIC_BASE) | APIC_BASE_EN;
	wrmsr(MSR_APIC_BASE, base);
	if (x2apic)
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD);

	this_cpu()->apic_id = lapic_id();
	lapic_write(APIC_TPR, 0);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | IRQ_VECTOR_TIMER);
	lapic_setup_lint();
	lapic_write(APIC_LVT_ERROR, IRQ_VECTOR_APIC_ERROR);
	lapic_write(APIC_ESR, 0);
	lapic_write(APIC_ESR, 0);
	lapic_write(APIC_SVR, APIC_SVR_ENABLE | IRQ_VECTOR_SPURIOUS);
	lapic_eoi();    /* drop anything a previous owner left in service */
}

/* ---- IPIs ----------------------------------------------------------------- */

static void lapic_send_icr(u32 apic_id, u32 lo)
{
	unsigned long flags = read_rflags();

	if (x2apic) {
		wrmsr(MSR_X2APIC_BASE + (APIC_ICR_LO >> 4), ((u64)apic_id << 32) | lo);
		return;
	}
	/* The two halves must not be split by an interrupt that sends too. */
	irq_disable();
	lapic_write(APIC_ICR_HI, apic_id << 24);
	lapic_write(APIC_ICR_LO, lo);
	while (lapic_read(APIC_ICR_LO) & APIC_ICR_PENDING)
		cpu_relax();
	if (flags & X86_RFLAGS_IF)
		irq_enable();
}

void lapic_send_ipi(u32 apic_id, u8 vector)
{
	lapic_send_icr(apic_id, vector | APIC_ICR_ASSERT);
}

void lapic_send_ipi_others(u8 vector)
{
	lapic_send_icr(0, vector | APIC_ICR_ASSERT | APIC_ICR_OTHERS);
}

/* NMI delivery mode (SDM vol 3 §11.6.1): reaches a CPU even with
 * interrupts off; panic() uses it to stop every other CPU. */
#define APIC_ICR_NMI (4u << 8)

void lapic_send_nmi_others(void)
{
	lapic_send_icr(0, APIC_ICR_NMI | APIC_ICR_ASSERT | APIC_ICR_OTHERS);
}

void lapic_send_init(u32 apic_id)
{
	lapic_send_icr(apic_id, APIC_ICR_INIT | APIC_ICR_ASSERT);
}

void lapic_send_sipi(u32 apic_id, u8 page)
{
	lapic_send_icr(apic_id, APIC_ICR_STARTUP | APIC_ICR_ASSERT | page);
}

/* ---- timer ---------------------------------------------------------------- */

/* Count LAPIC timer ticks (divide by 16) against 10 ms of TSC. */
static u64 lapic_timer_calibrate(void)
{
	u64 khz = clock_tsc_khz(), t0, t1;
	u32 c0, c1;

	lapic_write(APIC_TIMER_DIV, APIC_TIMER_DIV_16);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | IRQ_VECTOR_TIMER);
	lapic_write(APIC_TIMER_INIT, 0xffffffff);
	t0 = rdtsc();
	c0 = lapic_read(APIC_TIMER_CUR);
	udelay(10000);
	c1 = lapic_read(APIC_TIMER_CUR);
	t1 = rdtsc();
	lapic_write(APIC_TIMER_INIT, 0);
	if (!khz || c1 >= c0 || t1 <= t0)
		return 0;
	return (u64)(c0 - c1) * khz / (t1 - t0);
}

void lapic_timer_init(u8 vector)
{
	if (!timer_ready) {
		if (!tsc_deadline) {
			lapic_timer_khz = lapic_timer_calibrate();
			if (!lapic_timer_khz) {
				pr_warn("apic: timer does not count; assuming 1 GHz bus\n");
				lapic_timer_khz = 1000000 / 16;
			}
		}
		tsc_mult = (clock_tsc_khz() << 32) / 1000000;
		lapic_mult = (lapic_timer_khz << 32) / 1000000;
		pr_info("apic: %s mode, timer %s (%lu kHz)\n", x2apic ? "x2APIC" : "xAPIC",
			lapic_timer_mode(), (unsigned long)(tsc_deadline ? clock_tsc_khz() :
							    lapic_timer_khz));
		timer_ready = true;
	}
	if (tsc_deadline) {
		lapic_write(APIC_LVT_TIMER, APIC_TIMER_TSC_DEADLINE | vector);
		/* SDM vol 3 §11.5.4.1: order the LVT write before the MSR. */
		__asm__ __volatile__("mfence" ::: "memory");
	} else {
		lapic_write(APIC_TIMER_DIV, APIC_TIMER_DIV_16);
		lapic_write(APIC_LVT_TIMER, vector);
	}
}

void lapic_timer_arm(u64 deadline_ns)
{
	u64 now = ktime_get();
	u64 delta = deadline_ns > now ? deadline_ns - now : 0;

	if (tsc_deadline) {
		u64 ticks = (u64)(((unsigned __int128)delta * tsc_mult) >> 32);

		wrmsr(MSR_TSC_DEADLINE, rdtsc() + ticks + 1);
	} else {
		u64 count = (u64)(((unsigned __int128)delta * lapic_mult) >> 32);

		/* Longer than the counter holds: fire early, timers re-arm. */
		lapic_write(APIC_TIMER_INIT, (u32)MIN(MAX(count, 1), 0xffffffffULL));
	}
}

void lapic_timer_disarm(void)
{
	if (tsc_deadline)
		wrmsr(MSR_TSC_DEADLINE, 0);
	else
		lapic_write(APIC_TIMER_INIT, 0);
}

const char *lapic_timer_mode(void)
{
	return tsc_deadline ? "TSC-deadline" : "one-shot";
}
