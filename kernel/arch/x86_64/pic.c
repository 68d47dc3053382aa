/*
 * The legacy 8259A pair. Vireo routes every interrupt through the IOAPIC,
 * but firmware may leave the PICs unmasked at their power-on vectors 8-15,
 * which collide with CPU exceptions. So: re-initialise them onto vectors
 * 0x20-0x2f (where a spurious IRQ 7/15 is recognisable) and mask all lines.
 * ICW/OCW meanings: Intel 8259A datasheet. Harmless without PICs (microvm
 * may have none): nothing decodes the ports.
 */
#include "kernel/arch/x86_64/irq.h"
#include "kernel/arch/x86_64/x86.h"

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1

#define ICW1_INIT_ICW4 0x11     /* edge, cascade, ICW4 follows */
#define ICW4_8086      0x01

void pic_disable(void)
{
	outb(PIC1_CMD, ICW1_INIT_ICW4);
	outb(PIC2_CMD, ICW1_INIT_ICW4);
	outb(PIC1_DATA, IRQ_VECTOR_PIC_BASE);           /* ICW2: vector base */
	outb(PIC2_DATA, IRQ_VECTOR_PIC_BASE + 8);
	outb(PIC1_DATA, 1u << 2);                       /* ICW3: slave on IR2 */
	outb(PIC2_DATA, 2);                             /* ICW3: cascade id */
	outb(PIC1_DATA, ICW4_8086);
	outb(PIC2_DATA, ICW4_8086);
	outb(PIC1_DATA, 0xff);                          /* OCW1: mask all */
	outb(PIC2_DATA, 0xff);
}
