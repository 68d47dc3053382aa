/*
 * Kernel consoles: where log lines go. Output only; the TTY layer owns
 * input. Registered consoles all receive every line the log prints.
 */
#ifndef VIREO_CONSOLE_CONSOLE_H
#define VIREO_CONSOLE_CONSOLE_H

#include "kernel/lib/types.h"

struct console {
	const char *name;
	/* Text: '\n' becomes the device's line end. */
	void (*write)(struct console *c, const char *s, size_t n);
	/* Bytes as they are (the TTY did its own output processing); NULL:
	 * write is used. */
	void (*write_raw)(struct console *c, const char *s, size_t n);
	struct console *next;
};

void console_register(struct console *c);
void console_write(const char *s, size_t n);
/* A log line: on a line of its own even if the console is mid-line. */
void console_write_line(const char *s, size_t n);
/* Terminal output (the TTY layer), byte for byte. */
void console_write_raw(const char *s, size_t n);

/* 16550 UART on a legacy I/O port (ttyS0 = 0x3f8, ttyS1 = 0x2f8...). */
int serial_console_init(int index);
void serial_putc_raw(char c);
/* I/O base of the console UART, 0 if none. */
u16 serial_console_port(void);

/*
 * Receive side of the console UART (serial_rx.c): bytes arrive by
 * interrupt (IOAPIC, ISA IRQ 4 for ttyS0/2, 3 for ttyS1/3) into a ring;
 * the TTY layer reads them and may ask to be called when some arrive.
 */
int serial_rx_init(void);
size_t serial_rx_read(char *buf, size_t len);
/* fn(ctx) runs in interrupt context after bytes were queued; NULL clears. */
void serial_rx_set_hook(void (*fn)(void *ctx), void *ctx);
u64 serial_rx_dropped(void);

#endif
