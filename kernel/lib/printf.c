/*
 * printf formatting: the only implementation in the kernel. Pure code with
 * no kernel dependencies, so tests/unit/test_printf.c runs it on the host
 * and compares against the host libc.
 */
#include "kernel/lib/printf.h"

#include <stdint.h>
#include <stdbool.h>

/* Output cursor: writes what fits, counts everything. */
struct pf_out {
	char *buf;
	size_t size;
	size_t len;
};

static void pf_putc(struct pf_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pf_pad(struct pf_out *o, char c, int n)
{
	while (n-- > 0)
		pf_putc(o, c);
}

struct pf_spec {
	bool left;      /* '-' */
	bool zero;      /* '0' */
	bool plus;      /* '+' */
	bool space;     /* ' ' */
	bool alt;       /* '#' */
	int width;      /* -1: none */
	int prec;       /* -1: none */
};

static void pf_string(struct pf_out *o, const struct pf_spec *sp, const char *s)
{
	int len = 0;

	if (!s)
		s = "(null)";
	while (s[len] && (sp->prec < 0 || len < sp->prec))
		len++;
	if (!sp->left)
		pf_pad(o, ' ', sp->width - len);
	for (int i = 0; i < len; i++)
		pf_putc(o, s[i]);
	if (sp->left)
		pf_pad(o, ' ', sp->width - len);
}

/*
 * Format one integer. 'neg' and the magnitude 'v' are separate so that
 * INT64_MIN needs no special case.
 */
static void pf_number(struct pf_out *o, const struct pf_spec *sp,
		      uint64_t v, bool neg, unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int nd = 0;
	const char *prefix = "";
	int plen, zeros, total;

	do {
		tmp[nd++] = digits[v % base];
		v /= base;
	} while (v);

	/* C: precision 0 with value 0 prints no digits. */
	if (sp->prec == 0 && nd == 1 && tmp[0] == '0')
		nd = 0;

	if (neg)
		prefix = "-";
	else if (sp->plus)
		prefix = "+";
	else if (sp->space)
		prefix = " ";
	if (sp->alt && base == 16 && !(nd == 1 && tmp[0] == '0') && nd > 0)
		prefix = upper ? "0X" : "0x";
	if (sp->alt && base == 8 && (nd == 0 || tmp[nd - 1] != '0'))
		prefix = "0";
	plen = 0;
	while (prefix[plen])
		plen++;

	zeros = sp->prec > nd ? sp->prec - nd : 0;
	total = plen + zeros + nd;
	/* '0' pads with zeros after the sign, unless '-' or a precision. */
	if (sp->zero && !sp->left && sp->prec < 0 && sp->width > total) {
		zeros += sp->width - total;
		total = sp->width;
	}
	if (!sp->left)
		pf_pad(o, ' ', sp->width - total);
	for (int i = 0; i < plen; i++)
		pf_putc(o, prefix[i]);
	pf_pad(o, '0', zeros);
	while (nd > 0)
		pf_putc(o, tmp[--nd]);
	if (sp->left)
		pf_pad(o, ' ', sp->width - total);
}

enum pf_len { PF_INT, PF_CHAR, PF_SHORT, PF_LONG, PF_LLONG, PF_SIZE, PF_PTRDIFF, PF_MAX };

static int64_t pf_signed_arg(va_list *ap, enum pf_len l)
{
	switch (l) {
	case PF_CHAR:    return (signed char)va_arg(*ap, int);
	case PF_SHORT:   return (short)va_arg(*ap, int);
	case PF_LONG:    return va_arg(*ap, long);
	case PF_LLONG:   return va_arg(*ap, long long);
	case PF_SIZE:    return va_arg(*ap, long);
	case PF_PTRDIFF: return va_arg(*ap, long);
	case PF_MAX:     return va_arg(*ap, intmax_t);
	default:         return va_arg(*ap, int);
	}
}

static uint64_t pf_unsigned_arg(va_list *ap, enum pf_len l)
{
	switch (l) {
	case PF_CHAR:    return (unsigned char)va_arg(*ap, unsigned);
	case PF_SHORT:   return (unsigned short)va_arg(*ap, unsigned);
	case PF_LONG:    return va_arg(*ap, unsigned long);
	case PF_LLONG:   return va_arg(*ap, unsigned long long);
	case PF_SIZE:    return va_arg(*ap, size_t);
	case PF_PTRDIFF: return va_arg(*ap, unsigned long);
	case PF_MAX:     return va_arg(*ap, uintmax_t);
	default:         return va_arg(*ap, unsigned);
	}
}

static int pf_atoi(const char **fmt)
{
	int n = 0;

	while (**fmt >= '0' && **fmt <= '9') {
		if (n < 100000)
			n = n * 10 + (**fmt - '0');
		(*fmt)++;
	}
	return n;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct pf_out o = { buf, size, 0 };
	va_list ap;

	va_copy(ap, ap_in);
	while (*fmt) {
		struct pf_spec sp = { .width = -1, .prec = -1 };
		enum pf_len len = PF_INT;

		if (*fmt != '%') {
			pf_putc(&o, *fmt++);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				sp.left = true;
			else if (*fmt == '0')
				sp.zero = true;
			else if (*fmt == '+')
				sp.plus = true;
			else if (*fmt == ' ')
				sp.space = true;
			else if (*fmt == '#')
				sp.alt = true;
			else
				break;
		}
		if (*fmt == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.left = true;
				sp.width = -sp.width;
			}
			fmt++;
		} else if (*fmt >= '0' && *fmt <= '9') {
			sp.width = pf_atoi(&fmt);
		}
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				sp.prec = va_arg(ap, int);
				if (sp.prec < 0)
					sp.prec = -1;
				fmt++;
			} else {
				sp.prec = pf_atoi(&fmt);
			}
		}
		switch (*fmt) {
		case 'h':
			len = PF_SHORT;
			if (*++fmt == 'h') {
				len = PF_CHAR;
				fmt++;
			}
			break;
		case 'l':
			len = PF_LONG;
			if (*++fmt == 'l') {
				len = PF_LLONG;
				fmt++;
			}
			break;
		case 'z': len = PF_SIZE; fmt++; break;
		case 't': len = PF_PTRDIFF; fmt++; break;
		case 'j': len = PF_MAX; fmt++; break;
		}

		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = pf_signed_arg(&ap, len);
			uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

			pf_number(&o, &sp, mag, v < 0, 10, false);
			break;
		}
		case 'u':
			pf_number(&o, &sp, pf_unsigned_arg(&ap, len), false, 10, false);
			break;
		case 'x':
		case 'X':
			pf_number(&o, &sp, pf_unsigned_arg(&ap, len), false, 16, *fmt == 'X');
			break;
		case 'o':
			pf_number(&o, &sp, pf_unsigned_arg(&ap, len), false, 8, false);
			break;
		case 'p': {
			/* Kernel convention: fixed 16 hex digits, 0x prefix. */
			struct pf_spec ps = { .alt = false, .zero = true,
					      .width = sp.width, .prec = 16,
					      .left = sp.left };
			uintptr_t p = (uintptr_t)va_arg(ap, void *);

			if (sp.width < 0)
				ps.width = -1;
			pf_putc(&o, '0');
			pf_putc(&o, 'x');
			if (ps.width >= 2)
				ps.width -= 2;
			pf_number(&o, &ps, p, false, 16, false);
			break;
		}
		case 's':
			pf_string(&o, &sp, va_arg(ap, const char *));
			break;
		case 'c': {
			char c[2] = { (char)va_arg(ap, int), 0 };

			if (!sp.left)
				pf_pad(&o, ' ', sp.width - 1);
			pf_putc(&o, c[0]);
			if (sp.left)
				pf_pad(&o, ' ', sp.width - 1);
			break;
		}
		case '%':
			pf_putc(&o, '%');
			break;
		case '\0':
			/* A lone '%' at the end: print it, stop. */
			pf_putc(&o, '%');
			goto out;
		default:
			/* Unknown conversion: print it verbatim so the bug shows. */
			pf_putc(&o, '%');
			pf_putc(&o, *fmt);
			break;
		}
		fmt++;
	}
out:
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
