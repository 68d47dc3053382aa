/* Error numbers: Linux's, from linux-libc-dev, so the syscall ABI matches. */
#ifndef VIREO_LIB_ERRNO_H
#define VIREO_LIB_ERRNO_H
#include <asm-generic/errno.h>
#endif
