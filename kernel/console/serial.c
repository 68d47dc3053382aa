/*
 * 16550A UART console. Output is polled: wait for the transmit holding
 * register to empty, then write. The receive side (interrupt driven) is the
 * TTY layer's business.
 */
#include "kernel/console/console.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/lib/errno.h"

/* Register offsets from the base port (16550 datasheet). */
#define UART_THR 0     /* transmit holding (DLAB=0) */
#define UART_DLL 0     /* divisor latch low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define UART_LSR_THRE 0x20
#define UART_LCR_DLAB 0x80

static const u16 serial_ports[] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
static u16 serial_base;

static void serial_out(char c)
{
	/* Bounded wait: a UART that never drains must not hang the log. */
	for (int i = 0; i < 100000; i++)
		if (inb(serial_base + UART_LSR) & UART_LSR_THRE)
			break;
	outb(serial_base + UART_THR, (u8)c);
}

void serial_putc_raw(char c)
{
	if (!serial_base)
		return;
	if (c == '\n')
		serial_out('\r');
	serial_out(c);
}

static void serial_write(struct console *con, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		serial_putc_raw(s[i]);
}

static void serial_write_raw(struct console *con, const char *s, size_t n)
{
	if (!serial_base)
		return;
	for (size_t i = 0; i < n; i++)
		serial_out(s[i]);
}

u16 serial_console_port(void)
{
	return serial_base;
}

static struct console serial_console = {
	.name = "ttyS",
	.write = serial_write,
	.write_raw = serial_write_raw,
};

int serial_console_init(int index)
{
	u16 base;

	if (index < 0 || index >= (int)(sizeof(serial_ports) / sizeof(serial_ports[0])))
		return -ENODEV;
	base = serial_ports[index];
	/* Scratch register round trip: is there a UART at all? */
	outb(base + UART_SCR, 0x5a);
	if (inb(base + UART_SCR) != 0x5a)
		return -ENODEV;
	outb(base + UART_IER, 0x00);            /* no interrupts yet */
	outb(base + UART_LCR, UART_LCR_DLAB);
	outb(base + UART_DLL, 1);               /* 115200 baud */
	outb(base + UART_DLM, 0);
	outb(base + UART_LCR, 0x03);            /* 8N1 */
	outb(base + UART_FCR, 0xc7);            /* FIFO on, cleared, 14-byte */
	outb(base + UART_MCR, 0x0b);            /* DTR, RTS, OUT2 */
	serial_base = base;
	console_register(&serial_console);
	return 0;
}
