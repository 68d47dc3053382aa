/* The console UART's receive interrupt, in the 16550's loopback mode. */
#include "kernel/console/console.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/lib/string.h"
#include "kernel/test/ktest.h"
#include "kernel/time/clock.h"

#define UART_THR 0
#define UART_MCR 4
#define UART_LSR 5
#define UART_MCR_LOOP 0x10
#define UART_LSR_TEMT 0x40

static u32 hook_calls;

static void count_hook(void *ctx)
{
	__atomic_fetch_add(&hook_calls, 1, __ATOMIC_RELAXED);
}

KTEST(serial_rx_interrupt_loopback)
{
	static const char msg[] = "vireo-rx";
	u16 port = serial_console_port();
	char got[32];
	size_t n = 0;
	u64 end;
	u8 mcr;

	KT_ASSERT(port != 0);
	while (serial_rx_read(got, sizeof(got)))
		;
	serial_rx_set_hook(count_hook, NULL);
	hook_calls = 0;
	/* Loopback: what we transmit is received, and nothing goes out (so
	 * no log line may be printed until it is off again). */
	for (int i = 0; i < 100000 && !(inb(port + UART_LSR) & UART_LSR_TEMT); i++)
		cpu_relax();
	mcr = inb(port + UART_MCR);
	outb(port + UART_MCR, mcr | UART_MCR_LOOP);
	for (size_t i = 0; i < sizeof(msg) - 1; i++)
		outb(port + UART_THR, (u8)msg[i]);
	end = ktime_get() + 500 * NSEC_PER_MSEC;
	while (n < sizeof(msg) - 1 && ktime_get() < end)
		n += serial_rx_read(got + n, sizeof(got) - n);
	outb(port + UART_MCR, mcr);
	serial_rx_set_hook(NULL, NULL);
	got[n] = '\0';
	KT_ASSERT_EQ(n, sizeof(msg) - 1);
	KT_ASSERT(!strcmp(got, msg));
	KT_ASSERT(hook_calls >= 1);
}
