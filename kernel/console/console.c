/* The list of consoles. Registered once at boot; read with no lock (a
 * console is never unregistered, and registration publishes with a
 * release store). */
#include "kernel/console/console.h"

static struct console *consoles;

void console_register(struct console *c)
{
	c->next = consoles;
	__atomic_store_n(&consoles, c, __ATOMIC_RELEASE);
}

void console_write(const char *s, size_t n)
{
	for (struct console *c = __atomic_load_n(&consoles, __ATOMIC_ACQUIRE);
	     c; c = c->next)
		c->write(c, s, n);
}
