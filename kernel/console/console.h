/*
 * Kernel consoles: where log lines go. Output only; the TTY layer owns
 * input. Registered consoles all receive every line the log prints.
 */
#ifndef VIREO_CONSOLE_CONSOLE_H
#define VIREO_CONSOLE_CONSOLE_H

#include "kernel/lib/types.h"

struct console {
	const char *name;
	void (*write)(struct console *c, const char *s, size_t n);
	struct console *next;
};

void console_register(struct console *c);
void console_write(const char *s, size_t n);

/* 16550 UART on a legacy I/O port (ttyS0 = 0x3f8, ttyS1 = 0x2f8...). */
int serial_console_init(int index);
void serial_putc_raw(char c);

#endif
