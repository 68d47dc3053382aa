/*
 * Interrupt-driven receive for the console UART. The handler drains the
 * receive FIFO (16550: RBR while LSR.DR) into a byte ring and then calls
 * the reader's hook. The ring drops new bytes when full and counts them:
 * a flood on the serial line must not stall the interrupt.
 */
#include "kernel/console/console.h"
#include "kernel/arch/x86_64/irq.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/sched/spinlock.h"

#define UART_RBR 0
#define UART_IER 1
#define UART_LSR 5
#define UART_IER_RDI 0x01               /* receive data available */
#define UART_LSR_DR  0x01
#define RX_RING_SIZE 1024               /* power of two */

/* rx_lock protects the ring, the hook and its context. */
static struct spinlock rx_lock = SPINLOCK_INIT("serial_rx");
static char rx_ring[RX_RING_SIZE];
static u32 rx_head, rx_tail;            /* free-running; head - tail <= size */
static u64 rx_dropped;
static void (*rx_hook)(void *ctx);
static void *rx_hook_ctx;
static u16 rx_port;

static void serial_rx_irq(void *ctx)
{
	void (*hook)(void *);
	void *hook_ctx;
	bool got = false;

	spin_lock(&rx_lock);
	/* Bounded: a stuck DR bit must not hold the CPU forever. */
	for (int i = 0; i < 256 && (inb(rx_port + UART_LSR) & UART_LSR_DR); i++) {
		char c = (char)inb(rx_port + UART_RBR);

		if (rx_head - rx_tail == RX_RING_SIZE) {
			rx_dropped++;
			continue;
		}
		rx_ring[rx_head++ % RX_RING_SIZE] = c;
		got = true;
	}
	hook = rx_hook;
	hook_ctx = rx_hook_ctx;
	spin_unlock(&rx_lock);
	if (got && hook)
		hook(hook_ctx);
}

size_t serial_rx_read(char *buf, size_t len)
{
	unsigned long flags = spin_lock_irqsave(&rx_lock);
	size_t n = 0;

	while (n < len && rx_tail != rx_head)
		buf[n++] = rx_ring[rx_tail++ % RX_RING_SIZE];
	spin_unlock_irqrestore(&rx_lock, flags);
	return n;
}

void serial_rx_set_hook(void (*fn)(void *ctx), void *ctx)
{
	unsigned long flags = spin_lock_irqsave(&rx_lock);

	rx_hook = fn;
	rx_hook_ctx = ctx;
	spin_unlock_irqrestore(&rx_lock, flags);
}

u64 serial_rx_dropped(void)
{
	return READ_ONCE(rx_dropped);
}

int serial_rx_init(void)
{
	u16 port = serial_console_port();
	int vector;

	if (!port)
		return -ENODEV;
	rx_port = port;
	/* COM1/COM3 share ISA IRQ 4, COM2/COM4 IRQ 3. */
	vector = irq_request_isa(port == 0x3f8 || port == 0x3e8 ? 4 : 3,
				 serial_rx_irq, NULL, "serial");
	if (vector < 0) {
		pr_warn("serial: no receive interrupt (%d); input unavailable\n", vector);
		return vector;
	}
	/* Drain what arrived before, then let the UART interrupt. */
	while (inb(port + UART_LSR) & UART_LSR_DR)
		inb(port + UART_RBR);
	outb(port + UART_IER, UART_IER_RDI);
	pr_info("serial: receive interrupt on vector %#x\n", vector);
	return 0;
}
