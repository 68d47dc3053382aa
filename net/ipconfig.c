/* Parsing `ip=` (see ipconfig.h). */
#include "net/ipconfig.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"

int ipconf_parse_addr(const char *s, size_t len, u32 *out)
{
	u32 a = 0;
	int parts = 0;
	size_t i = 0;

	while (parts < 4) {
		u32 v = 0;
		size_t digits = 0;

		while (i < len && s[i] >= '0' && s[i] <= '9' && digits < 4) {
			v = v * 10 + (u32)(s[i++] - '0');
			digits++;
		}
		if (!digits || v > 255)
			return -EINVAL;
		a = (a << 8) | v;
		parts++;
		if (parts < 4) {
			if (i >= len || s[i] != '.')
				return -EINVAL;
			i++;
		}
	}
	if (i != len)
		return -EINVAL;
	*out = a;
	return 0;
}

static bool field_is(const char *f, size_t len, const char *word)
{
	return strlen(word) == len && !strncmp(f, word, len);
}

/* Classful default mask (what Linux's ipconfig falls back to). */
static u32 ipconf_class_mask(u32 a)
{
	if (!(a & 0x80000000u))
		return 0xff000000u;
	if ((a & 0xc0000000u) == 0x80000000u)
		return 0xffff0000u;
	return 0xffffff00u;
}

static int ipconf_autoconf(const char *f, size_t len, enum ipconf_mode *mode)
{
	if (!len)
		return 1;               /* not given */
	if (field_is(f, len, "off") || field_is(f, len, "none")) {
		*mode = IPCONF_OFF;
		return 0;
	}
	if (field_is(f, len, "on") || field_is(f, len, "any") ||
	    field_is(f, len, "dhcp") || field_is(f, len, "both")) {
		*mode = IPCONF_DHCP;
		return 0;
	}
	if (field_is(f, len, "bootp") || field_is(f, len, "rarp"))
		return -EOPNOTSUPP;
	return -EINVAL;
}

int ipconf_parse(const char *s, struct ipconf *c)
{
	const char *f = s;
	int field = 0, err, autoconf = 1;

	memset(c, 0, sizeof(*c));
	/* The one-word forms; any other word is a client address (the
	 * first field), as Linux reads it. */
	if (!strchr(s, ':')) {
		err = ipconf_autoconf(s, strlen(s), &c->mode);
		if (err != -EINVAL)
			return err > 0 ? -EINVAL : err;
	}
	for (;;) {
		const char *end = strchr(f, ':');
		size_t len = end ? (size_t)(end - f) : strlen(f);
		u32 *addr = NULL;

		switch (field) {
		case 0: addr = &c->addr; break;
		case 1: addr = &c->server; break;
		case 2: addr = &c->gw; break;
		case 3: addr = &c->mask; break;
		case 4:
			if (len >= sizeof(c->hostname))
				return -EINVAL;
			memcpy(c->hostname, f, len);
			c->hostname[len] = 0;
			break;
		case 5:
			if (len >= sizeof(c->device))
				return -EINVAL;
			memcpy(c->device, f, len);
			c->device[len] = 0;
			break;
		case 6:
			autoconf = ipconf_autoconf(f, len, &c->mode);
			if (autoconf < 0)
				return autoconf;
			break;
		default:
			break;          /* DNS and NTP servers: not used */
		}
		if (addr && len && ipconf_parse_addr(f, len, addr))
			return -EINVAL;
		if (!end)
			break;
		f = end + 1;
		field++;
	}
	if (autoconf > 0)
		c->mode = c->addr ? IPCONF_STATIC : IPCONF_DHCP;
	if (c->mode == IPCONF_STATIC && !c->mask)
		c->mask = ipconf_class_mask(c->addr);
	return 0;
}
