#ifndef VIREO_LIB_STRING_H
#define VIREO_LIB_STRING_H

#include "kernel/lib/types.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *hay, const char *needle);
size_t strlcpy(char *dst, const char *src, size_t size);
size_t strlcat(char *dst, const char *src, size_t size);

/* Parse an unsigned/signed integer in base 0 (auto: 0x, 0), 8, 10 or 16.
 * Returns 0, or -EINVAL if s is empty, has trailing junk, or overflows. */
int kstrtoull(const char *s, unsigned base, unsigned long long *out);
int kstrtoll(const char *s, unsigned base, long long *out);

/* Shell-style glob with * and ?: true if name matches pattern. */
bool glob_match(const char *pattern, const char *name);

#endif
