#ifndef VIREO_LIB_PRINTF_H
#define VIREO_LIB_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * The kernel's one printf. Conversions: d i u x X o p s c %, with flags
 * '-' '0' '+' ' ' '#', field width and precision (numbers in the format or
 * '*'), and length modifiers hh h l ll z t j. Returns the length the full
 * output would have (like C99), writing at most size-1 chars plus NUL.
 */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
