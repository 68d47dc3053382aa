/*
 * cpio newc parsing. An entry is a 110-byte ASCII header, the NUL-
 * terminated name, padding to a multiple of 4 (counted from the header's
 * start), the data, and padding to 4 again. The header is "070701" (or
 * "070702": the same with a checksum, which the kernel does not verify,
 * as Linux doesn't) followed by 13 eight-digit hex fields: ino, mode, uid,
 * gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor,
 * namesize (with the NUL), check. "TRAILER!!!" ends an archive.
 */
#include "vfs/cpio.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"

#define CPIO_HDR_LEN 110
#define CPIO_FIELDS 13
#define CPIO_TRAILER "TRAILER!!!"

enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_DEVMAJ,
       F_DEVMIN, F_RDEVMAJ, F_RDEVMIN, F_NAMESIZE, F_CHECK };

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static bool hex8(const u8 *p, u32 *out)
{
	u32 v = 0;

	for (int i = 0; i < 8; i++) {
		u8 c = p[i];

		if (c >= '0' && c <= '9')
			v = v << 4 | (u32)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (u32)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v << 4 | (u32)(c - 'A' + 10);
		else
			return false;
	}
	*out = v;
	return true;
}

int cpio_next(const u8 *buf, size_t len, size_t *off, struct cpio_entry *e,
	      const char **why)
{
	u32 f[CPIO_FIELDS];
	size_t pos = *off, name_end, data_end, namelen;
	const char *name;

	for (;;) {
		/* NUL padding between concatenated archives, in words. */
		while (pos + 4 <= len && !buf[pos] && !buf[pos + 1] &&
		       !buf[pos + 2] && !buf[pos + 3])
			pos += 4;
		*off = pos;
		if (pos >= len || (len - pos < 4 && !buf[pos]))
			return 0;
		if (len - pos < CPIO_HDR_LEN) {
			*why = "truncated header";
			return -EINVAL;
		}
		if (memcmp(buf + pos, "07070", 5) ||
		    (buf[pos + 5] != '1' && buf[pos + 5] != '2')) {
			*why = (buf[pos] == 0x1f && buf[pos + 1] == 0x8b)
				? "gzip-compressed archive (not supported; use an uncompressed cpio)"
				: "bad magic (not a cpio newc archive)";
			return -EINVAL;
		}
		for (int i = 0; i < CPIO_FIELDS; i++) {
			if (!hex8(buf + pos + 6 + 8 * i, &f[i])) {
				*why = "non-hex header field";
				return -EINVAL;
			}
		}
		if (f[F_NAMESIZE] == 0 || f[F_NAMESIZE] > 4096) {
			*why = "bad name size";
			return -EINVAL;
		}
		name_end = pos + CPIO_HDR_LEN + f[F_NAMESIZE];
		if (name_end > len) {
			*why = "truncated name";
			return -EINVAL;
		}
		if (buf[name_end - 1] != 0) {
			*why = "name not NUL-terminated";
			return -EINVAL;
		}
		name = (const char *)buf + pos + CPIO_HDR_LEN;
		namelen = f[F_NAMESIZE] - 1;
		if (strnlen(name, namelen) != namelen) {
			*why = "NUL inside a name";
			return -EINVAL;
		}
		data_end = pad4(name_end - *off) + *off + f[F_FILESIZE];
		if (data_end > len || data_end < name_end) {
			*why = "truncated file data";
			return -EINVAL;
		}
		/* The last entry's final padding may be cut off. */
		pos = *off + pad4(data_end - *off);
		if (pos > len)
			pos = len;
		if (namelen == sizeof(CPIO_TRAILER) - 1 &&
		    !memcmp(name, CPIO_TRAILER, namelen))
			continue;       /* another archive may follow */
		e->name = name;
		e->namelen = namelen;
		e->data = buf + pad4(name_end - *off) + *off;
		e->size = f[F_FILESIZE];
		e->ino = f[F_INO];
		e->mode = f[F_MODE];
		e->uid = f[F_UID];
		e->gid = f[F_GID];
		e->nlink = f[F_NLINK];
		e->mtime = f[F_MTIME];
		e->dev_major = f[F_DEVMAJ];
		e->dev_minor = f[F_DEVMIN];
		e->rdev_major = f[F_RDEVMAJ];
		e->rdev_minor = f[F_RDEVMIN];
		*off = pos;
		return 1;
	}
}
