/*
 * Kernel log: levels as on Linux (0 emerg .. 7 debug), a timestamp since
 * boot on every line, an in-memory ring (for dmesg) and the consoles.
 * `loglevel=N` prints levels below N on the console (default 7: all but
 * debug); `quiet` means loglevel=4. The ring keeps every level.
 */
#ifndef VIREO_LIB_LOG_H
#define VIREO_LIB_LOG_H

#include "kernel/lib/types.h"
#include "kernel/lib/compiler.h"

#define LOG_EMERG   0
#define LOG_ALERT   1
#define LOG_CRIT    2
#define LOG_ERR     3
#define LOG_WARNING 4
#define LOG_NOTICE  5
#define LOG_INFO    6
#define LOG_DEBUG   7

void klog(int level, const char *fmt, ...) __printf(2, 3);
void vklog(int level, const char *fmt, va_list ap);

#define pr_emerg(...)  klog(LOG_EMERG, __VA_ARGS__)
#define pr_crit(...)   klog(LOG_CRIT, __VA_ARGS__)
#define pr_err(...)    klog(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)   klog(LOG_WARNING, __VA_ARGS__)
#define pr_notice(...) klog(LOG_NOTICE, __VA_ARGS__)
#define pr_info(...)   klog(LOG_INFO, __VA_ARGS__)
#define pr_debug(...)  klog(LOG_DEBUG, __VA_ARGS__)

/* Parse console=, loglevel=, quiet; bring up the console; replay what was
 * logged before it existed. */
void log_init(const char *cmdline);

int log_get_console_level(void);

/* Copy the ring's text from *pos on into buf; returns bytes copied and
 * advances *pos (a byte sequence number: lost text is skipped). */
size_t log_read(u64 *pos, char *buf, size_t len);

/* Panic/trap path: stop taking the log lock (the holder may be the CPU
 * that just died) and print everything regardless of level. */
void log_enter_panic(void);
bool log_panic_in_progress(void);

void __noreturn panic(const char *fmt, ...) __printf(1, 2);

#define BUG_ON(cond)                                                     \
	do {                                                             \
		if (unlikely(cond))                                      \
			panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond); \
	} while (0)

#endif
