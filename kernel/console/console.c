/* The list of consoles. Registered once at boot; read with no lock (a
 * console is never unregistered, and registration publishes with a
 * release store).
 *
 * console_lock serializes output, so a log line and terminal output from
 * two CPUs never interleave byte by byte, and knows whether the last byte
 * out ended a line: a log line that arrives while the terminal shows a
 * partial line (a prompt, an echo) starts on a line of its own. After a
 * panic began the lock is not taken (its holder may be the CPU that died). */
#include "kernel/console/console.h"
#include "kernel/lib/log.h"
#include "kernel/sched/spinlock.h"

static struct console *consoles;
static struct spinlock console_lock = SPINLOCK_INIT("console");
static bool console_mid_line;           /* console_lock */

void console_register(struct console *c)
{
	c->next = consoles;
	__atomic_store_n(&consoles, c, __ATOMIC_RELEASE);
}

static void write_all(const char *s, size_t n, bool raw)
{
	for (struct console *c = __atomic_load_n(&consoles, __ATOMIC_ACQUIRE);
	     c; c = c->next)
		(raw && c->write_raw ? c->write_raw : c->write)(c, s, n);
	if (n)
		console_mid_line = s[n - 1] != '\n';
}

static unsigned long console_lock_out(void)
{
	return log_panic_in_progress() ? 0 : spin_lock_irqsave(&console_lock);
}

static void console_unlock_out(unsigned long flags)
{
	if (!log_panic_in_progress())
		spin_unlock_irqrestore(&console_lock, flags);
}

void console_write(const char *s, size_t n)
{
	unsigned long flags = console_lock_out();

	write_all(s, n, false);
	console_unlock_out(flags);
}

void console_write_line(const char *s, size_t n)
{
	unsigned long flags = console_lock_out();

	if (console_mid_line)
		write_all("\n", 1, false);
	write_all(s, n, false);
	console_unlock_out(flags);
}

void console_write_raw(const char *s, size_t n)
{
	unsigned long flags = console_lock_out();

	write_all(s, n, true);
	console_unlock_out(flags);
}
