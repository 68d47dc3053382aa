/* Basic kernel types. Fixed-width integers come from the compiler's
 * freestanding <stdint.h>; device-endian types say what they carry. */
#ifndef VIREO_LIB_TYPES_H
#define VIREO_LIB_TYPES_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

typedef long ssize_t;
typedef u64 phys_addr_t;

/* Little-endian device fields (virtio, ext2). x86 is little-endian, so these
 * are plain integers, but the names document the wire format. */
typedef u16 le16;
typedef u32 le32;
typedef u64 le64;

#endif
