/*
 * The kernel log. Every line goes into a byte ring (LOG_RING_SIZE, oldest
 * text overwritten) and, if its level passes the console level, to every
 * console. log_lock protects the ring and serializes console output so
 * lines from different CPUs do not interleave.
 */
#include "kernel/lib/log.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/boot/cmdline.h"
#include "kernel/console/console.h"
#include "kernel/sched/spinlock.h"
#include "kernel/time/clock.h"

#define LOG_RING_SIZE (64 * 1024)
#define LOG_LINE_MAX 512

static char log_ring[LOG_RING_SIZE];
static u64 log_head;                /* bytes ever written; protected by log_lock */
static struct spinlock log_lock = SPINLOCK_INIT("log");
static int console_level = LOG_DEBUG;   /* print levels < this */
static bool console_ready;
static bool log_panicking;

static void ring_put(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		log_ring[(log_head + i) % LOG_RING_SIZE] = s[i];
	log_head += n;
}

void vklog(int level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	u64 ns = ktime_get();
	unsigned long flags = 0;
	int n, body;

	n = ksnprintf(line, sizeof(line), "[%5lu.%06lu] ",
		      (unsigned long)(ns / 1000000000),
		      (unsigned long)(ns / 1000 % 1000000));
	body = kvsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	n = MIN(n + body, (int)sizeof(line) - 1);
	if (line[n - 1] != '\n') {
		if (n == (int)sizeof(line) - 1)
			n--;
		line[n++] = '\n';
		line[n] = '\0';
	}

	if (!log_panicking)
		flags = spin_lock_irqsave(&log_lock);
	ring_put(line, (size_t)n);
	if (console_ready && (level < console_level || log_panicking))
		console_write_line(line, (size_t)n);
	if (!log_panicking)
		spin_unlock_irqrestore(&log_lock, flags);
}

void klog(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vklog(level, fmt, ap);
	va_end(ap);
}

size_t log_read(u64 *pos, char *buf, size_t len)
{
	unsigned long flags = spin_lock_irqsave(&log_lock);
	size_t n = 0;

	if (*pos + LOG_RING_SIZE < log_head)
		*pos = log_head - LOG_RING_SIZE;
	while (n < len && *pos < log_head) {
		buf[n++] = log_ring[*pos % LOG_RING_SIZE];
		(*pos)++;
	}
	spin_unlock_irqrestore(&log_lock, flags);
	return n;
}

int log_get_console_level(void)
{
	return console_level;
}

void log_enter_panic(void)
{
	log_panicking = true;
}

bool log_panic_in_progress(void)
{
	return READ_ONCE(log_panicking);
}

void log_init(const char *cmdline)
{
	char val[32];
	int index = 0;
	long lvl;

	/* console=ttySN[,options]; Vireo's only console is the UART. */
	if (cmdline_get(cmdline, "console", val, sizeof(val)) &&
	    !strncmp(val, "ttyS", 4) && val[4] >= '0' && val[4] <= '9')
		index = val[4] - '0';
	if (cmdline_get(cmdline, "quiet", NULL, 0))
		console_level = LOG_WARNING;
	lvl = cmdline_get_long(cmdline, "loglevel", -1);
	if (lvl >= 0 && lvl <= 8)
		console_level = (int)lvl;

	if (serial_console_init(index) && index != 0)
		serial_console_init(0);

	/* Replay what was logged before the console existed. */
	{
		unsigned long flags = spin_lock_irqsave(&log_lock);
		u64 start = log_head > LOG_RING_SIZE ? log_head - LOG_RING_SIZE : 0;

		for (u64 p = start; p < log_head; p++) {
			char c = log_ring[p % LOG_RING_SIZE];

			console_write(&c, 1);
		}
		console_ready = true;
		spin_unlock_irqrestore(&log_lock, flags);
	}
}
