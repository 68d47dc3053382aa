/* The IDT: one table shared by all CPUs, pointing at trap_entry.S stubs. */
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/traps.h"

#define IDT_STUB_SIZE 16

struct idt_gate {               /* SDM vol 3 §6.14.1, figure 6-8 */
	u16 off_lo;
	u16 sel;
	u8 ist;
	u8 type_attr;           /* P | DPL | 0 | type */
	u16 off_mid;
	u32 off_hi;
	u32 reserved;
} __packed;
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate");

#define GATE_INTERRUPT 0x8e     /* present, DPL 0, 64-bit interrupt gate */
#define GATE_USER      0xee     /* present, DPL 3 (int3 from user mode) */

extern char trap_stubs[];
static struct idt_gate idt[256] __aligned(16);
static bool idt_ready;

static void idt_set(unsigned v, u8 type_attr, u8 ist)
{
	u64 addr = (u64)trap_stubs + v * IDT_STUB_SIZE;

	idt[v] = (struct idt_gate){
		.off_lo = addr & 0xffff,
		.sel = GDT_KCODE,
		.ist = ist,
		.type_attr = type_attr,
		.off_mid = (addr >> 16) & 0xffff,
		.off_hi = addr >> 32,
	};
}

void idt_load(void)
{
	struct {
		u16 limit;
		u64 base;
	} __packed idtr = { sizeof(idt) - 1, (u64)idt };

	if (!idt_ready) {
		for (unsigned v = 0; v < 256; v++)
			idt_set(v, GATE_INTERRUPT, 0);
		idt_set(X86_TRAP_BP, GATE_USER, 0);
		/* Exceptions that can arrive on a broken stack get their own. */
		idt_set(X86_TRAP_DF, GATE_INTERRUPT, IST_DOUBLE_FAULT);
		idt_set(X86_TRAP_NMI, GATE_INTERRUPT, IST_NMI);
		idt_set(X86_TRAP_MC, GATE_INTERRUPT, IST_MACHINE_CHECK);
		idt_ready = true;
	}
	__asm__ __volatile__("lidt %0" : : "m"(idtr));
}
