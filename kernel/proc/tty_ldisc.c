/*
 * The terminal line discipline: what happens to a byte between the serial
 * line and read(2), and between write(2) and the serial line, as termios
 * says (POSIX General Terminal Interface, with Linux's behaviour where
 * POSIX leaves room: IEXTEN keys, ECHOCTL/ECHOKE echo, IUTF8 erase).
 *
 * Pure code with no lock: the owner (tty.c) serializes every call. Output
 * (echo and written text alike) goes through one OPOST path that keeps
 * the column, so erasing a tab or a ^X echo backs up the right number of
 * columns. Output is gathered in ld->out and handed to emit() at the end
 * of each call (or when the buffer fills).
 *
 * Not implemented: ECHOPRT (hardcopy erase), VDISCARD/FLUSHO, PARMRK,
 * IUCLC/OLCUC/XCASE (upper-case-only terminals) and output delays; the
 * flags are kept and reported but have no effect.
 */
#include "kernel/proc/tty.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"

#define RING(i) ((i) & (LDISC_BUF_SIZE - 1))
#define CTRL(c) ((c) & 0x1f)
#define DEL 0x7f

static bool L(const struct ldisc *ld, u32 f) { return ld->termios.c_lflag & f; }
static bool I(const struct ldisc *ld, u32 f) { return ld->termios.c_iflag & f; }
static bool O(const struct ldisc *ld, u32 f) { return ld->termios.c_oflag & f; }

/* c is the control character cc[idx], which is not disabled (0 is
 * _POSIX_VDISABLE on Linux). */
static bool is_cc(const struct ldisc *ld, u8 c, int idx)
{
	return ld->termios.c_cc[idx] && c == ld->termios.c_cc[idx];
}

static bool is_cntrl(u8 c)
{
	return c < 0x20 || c == DEL;
}

/* A UTF-8 continuation byte takes no column of its own. */
static bool is_cont(const struct ldisc *ld, u8 c)
{
	return I(ld, IUTF8) && (c & 0xc0) == 0x80;
}

static bool is_word(u8 c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_';
}

void ldisc_default_termios(struct termios *t)
{
	memset(t, 0, sizeof(*t));
	t->c_iflag = ICRNL | IXON | IUTF8;
	t->c_oflag = OPOST | ONLCR;
	t->c_cflag = B115200 | CS8 | CREAD | HUPCL | CLOCAL;
	t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	t->c_cc[VINTR] = CTRL('C');
	t->c_cc[VQUIT] = CTRL('\\');
	t->c_cc[VERASE] = DEL;
	t->c_cc[VKILL] = CTRL('U');
	t->c_cc[VEOF] = CTRL('D');
	t->c_cc[VMIN] = 1;
	t->c_cc[VSTART] = CTRL('Q');
	t->c_cc[VSTOP] = CTRL('S');
	t->c_cc[VSUSP] = CTRL('Z');
	t->c_cc[VREPRINT] = CTRL('R');
	t->c_cc[VDISCARD] = CTRL('O');
	t->c_cc[VWERASE] = CTRL('W');
	t->c_cc[VLNEXT] = CTRL('V');
}

void ldisc_init(struct ldisc *ld, void (*emit)(void *, const char *, size_t),
		void (*isig)(void *, int), void *ctx)
{
	memset(ld, 0, sizeof(*ld));
	ldisc_default_termios(&ld->termios);
	ld->emit = emit;
	ld->isig = isig;
	ld->ctx = ctx;
}

/* ---- output -------------------------------------------------------------- */

static void out_flush(struct ldisc *ld)
{
	if (ld->out_len)
		ld->emit(ld->ctx, ld->out, ld->out_len);
	ld->out_len = 0;
}

static void out_raw(struct ldisc *ld, char c)
{
	if (ld->out_len == LDISC_OUT_SIZE)
		out_flush(ld);
	ld->out[ld->out_len++] = c;
}

/* One byte through output processing, keeping the column. */
static void out_char(struct ldisc *ld, u8 c)
{
	if (!O(ld, OPOST)) {
		out_raw(ld, (char)c);
		return;
	}
	switch (c) {
	case '\n':
		if (O(ld, ONLRET))
			ld->column = 0;
		if (O(ld, ONLCR)) {
			ld->column = 0;
			out_raw(ld, '\r');
		}
		break;
	case '\r':
		if (O(ld, ONOCR) && ld->column == 0)
			return;
		if (O(ld, OCRNL)) {
			c = '\n';
			if (O(ld, ONLRET))
				ld->column = 0;
			break;
		}
		ld->column = 0;
		break;
	case '\t': {
		u32 spaces = 8 - (ld->column & 7);

		ld->column += spaces;
		if ((ld->termios.c_oflag & TABDLY) == XTABS) {
			while (spaces--)
				out_raw(ld, ' ');
			return;
		}
		break;
	}
	case '\b':
		if (ld->column)
			ld->column--;
		break;
	default:
		if (!is_cntrl(c) && !is_cont(ld, c))
			ld->column++;
		break;
	}
	out_raw(ld, (char)c);
}

void ldisc_write(struct ldisc *ld, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out_char(ld, (u8)s[i]);
	out_flush(ld);
}

/* Echo one input byte: a control character as ^X with ECHOCTL (two
 * columns), anything else through output processing. */
static void echo_char(struct ldisc *ld, u8 c)
{
	if (L(ld, ECHOCTL) && is_cntrl(c) && c != '\t' && c != '\n') {
		out_raw(ld, '^');
		out_raw(ld, (char)(c ^ 0x40));
		ld->column += 2;
		return;
	}
	out_char(ld, c);
}

/* ---- the input ring ------------------------------------------------------ */

static bool delim_at(const struct ldisc *ld, u32 i)
{
	return ld->delim[RING(i) / 8] & (1u << (RING(i) % 8));
}

static void set_delim(struct ldisc *ld, u32 i, bool on)
{
	u8 bit = (u8)(1u << (RING(i) % 8));

	if (on)
		ld->delim[RING(i) / 8] |= bit;
	else
		ld->delim[RING(i) / 8] &= (u8)~bit;
}

static bool canon(const struct ldisc *ld)
{
	return L(ld, ICANON);
}

size_t ldisc_room(const struct ldisc *ld)
{
	return LDISC_BUF_SIZE - (ld->head - ld->tail);
}

/* Append c. In canonical mode the last slot is kept for a line end, so
 * a full line can still be finished. false if it did not fit. */
static bool put(struct ldisc *ld, u8 c, bool delim)
{
	size_t room = ldisc_room(ld);

	if (!room || (canon(ld) && !delim && room == 1)) {
		ld->dropped++;
		if (I(ld, IMAXBEL) && L(ld, ECHO))
			out_raw(ld, '\a');
		return false;
	}
	ld->buf[RING(ld->head)] = (char)c;
	set_delim(ld, ld->head, delim);
	ld->head++;
	if (delim || !canon(ld))
		ld->commit = ld->head;
	return true;
}

void ldisc_flush_input(struct ldisc *ld)
{
	ld->tail = ld->commit = ld->head;
	ld->lnext = false;
}

/* ---- canonical editing --------------------------------------------------- */

enum erase_kind { ERASE, WERASE, KILL };

/* Columns the echo of [commit, end) took, from line_column. */
static u32 echo_width(const struct ldisc *ld, u32 end)
{
	u32 col = ld->line_column;

	for (u32 i = ld->commit; i != end; i++) {
		u8 c = (u8)ld->buf[RING(i)];

		if (c == '\t')
			col = (col | 7) + 1;
		else if (is_cntrl(c))
			col += L(ld, ECHOCTL) ? 2 : 0;
		else if (!is_cont(ld, c))
			col++;
	}
	return col;
}

/* Rub out n columns: "\b \b" each. */
static void echo_rubout(struct ldisc *ld, u32 n)
{
	while (n--) {
		out_raw(ld, '\b');
		out_raw(ld, ' ');
		out_raw(ld, '\b');
		if (ld->column)
			ld->column--;
	}
}

/* Back the cursor up to column col (erasing a tab). */
static void echo_back_to(struct ldisc *ld, u32 col)
{
	while (ld->column > col) {
		out_raw(ld, '\b');
		ld->column--;
	}
}

/*
 * Erase the last character (ERASE), word (WERASE: trailing blanks, then
 * letters, digits and '_', as Linux) or the whole line (KILL) being
 * edited, and rub it out on the screen: "\b \b" per column with ECHOE,
 * back to the tab stop for a tab; without ECHOE the erase key is echoed.
 */
static void erase(struct ldisc *ld, u8 key, enum erase_kind kind)
{
	bool echo = L(ld, ECHO);
	bool seen_word = false;

	if (ld->head == ld->commit)
		return;
	if (kind == KILL && (!echo || !L(ld, ECHOK) || !L(ld, ECHOKE) || !L(ld, ECHOE))) {
		ld->head = ld->commit;
		if (echo) {
			echo_char(ld, key);
			if (L(ld, ECHOK))
				out_char(ld, '\n');
		}
		return;
	}
	while (ld->head != ld->commit) {
		u32 start = ld->head - 1;
		u8 c;

		/* A UTF-8 character goes as a whole. */
		while (start != ld->commit && is_cont(ld, (u8)ld->buf[RING(start)]))
			start--;
		c = (u8)ld->buf[RING(start)];
		if (kind == WERASE) {
			if (is_word(c))
				seen_word = true;
			else if (seen_word)
				break;
		}
		ld->head = start;
		if (echo) {
			if (kind == ERASE && !L(ld, ECHOE)) {
				echo_char(ld, key);
			} else if (c == '\t') {
				echo_back_to(ld, echo_width(ld, ld->head));
			} else if (is_cntrl(c)) {
				if (L(ld, ECHOCTL))
					echo_rubout(ld, 2);
			} else {
				echo_rubout(ld, 1);
			}
		}
		if (kind == ERASE)
			break;
	}
}

/* ^R: the line being edited, again, on a new line. */
static void reprint(struct ldisc *ld, u8 key)
{
	echo_char(ld, key);
	out_char(ld, '\n');
	ld->line_column = ld->column;
	for (u32 i = ld->commit; i != ld->head; i++)
		echo_char(ld, (u8)ld->buf[RING(i)]);
}

/* Both backspace conventions erase: the VERASE key, and ^H when VERASE
 * is DEL or DEL when VERASE is ^H (terminals send either). */
static bool is_erase(const struct ldisc *ld, u8 c)
{
	u8 verase = ld->termios.c_cc[VERASE];

	if (is_cc(ld, c, VERASE))
		return true;
	return (verase == DEL && c == '\b') || (verase == '\b' && c == DEL);
}

/* The canonical-mode keys; true if c was one and is handled. */
static bool canon_key(struct ldisc *ld, u8 c)
{
	bool iexten = L(ld, IEXTEN), echo = L(ld, ECHO);

	if (is_erase(ld, c)) {
		erase(ld, c, ERASE);
		return true;
	}
	if (is_cc(ld, c, VKILL)) {
		erase(ld, c, KILL);
		return true;
	}
	if (iexten && is_cc(ld, c, VWERASE)) {
		erase(ld, c, WERASE);
		return true;
	}
	if (iexten && echo && is_cc(ld, c, VREPRINT)) {
		reprint(ld, c);
		return true;
	}
	if (c == '\n') {
		if (echo || L(ld, ECHONL))
			out_char(ld, '\n');
		put(ld, c, true);
		return true;
	}
	if (is_cc(ld, c, VEOF)) {
		/* Ends the line without a byte of its own: a read returns what
		 * was typed, or 0 (end of file) on an empty line. */
		put(ld, 0, true);
		return true;
	}
	if (is_cc(ld, c, VEOL) || (iexten && is_cc(ld, c, VEOL2))) {
		if (echo)
			echo_char(ld, c);
		put(ld, c, true);
		return true;
	}
	return false;
}

/* ---- input --------------------------------------------------------------- */

static void receive_char(struct ldisc *ld, u8 c)
{
	if (I(ld, ISTRIP))
		c &= 0x7f;
	if (ld->lnext) {
		ld->lnext = false;
		goto literal;
	}
	if (I(ld, IXON)) {
		if (is_cc(ld, c, VSTART)) {
			ld->stopped = false;
			return;
		}
		if (is_cc(ld, c, VSTOP)) {
			ld->stopped = true;
			return;
		}
		if (I(ld, IXANY))
			ld->stopped = false;
	}
	if (c == '\r') {
		if (I(ld, IGNCR))
			return;
		if (I(ld, ICRNL))
			c = '\n';
	} else if (c == '\n' && I(ld, INLCR)) {
		c = '\r';
	}
	if (L(ld, ISIG)) {
		int key = is_cc(ld, c, VINTR) ? VINTR : is_cc(ld, c, VQUIT) ? VQUIT :
			  is_cc(ld, c, VSUSP) ? VSUSP : -1;

		if (key >= 0) {
			if (!L(ld, NOFLSH))
				ldisc_flush_input(ld);
			ld->stopped = false;
			if (L(ld, ECHO))
				echo_char(ld, c);
			/* Echo first: the ^C shows before the shell reacts. */
			out_flush(ld);
			ld->isig(ld->ctx, key);
			return;
		}
	}
	if (L(ld, IEXTEN) && is_cc(ld, c, VLNEXT)) {
		ld->lnext = true;
		if (L(ld, ECHO) && L(ld, ECHOCTL)) {
			out_raw(ld, '^');
			out_raw(ld, '\b');
		}
		return;
	}
	if (canon(ld) && canon_key(ld, c))
		return;
literal:
	if (L(ld, ECHO)) {
		if (ld->head == ld->commit)
			ld->line_column = ld->column;
		if (c == '\n')
			out_char(ld, '\n');
		else
			echo_char(ld, c);
	} else if (c == '\n' && canon(ld) && L(ld, ECHONL)) {
		out_char(ld, '\n');
	}
	/* A literal newline in canonical mode still ends the line. */
	put(ld, c, canon(ld) && c == '\n');
}

void ldisc_receive(struct ldisc *ld, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		receive_char(ld, (u8)s[i]);
	out_flush(ld);
}

/* ---- reading ------------------------------------------------------------- */

static bool eof_mark(const struct ldisc *ld, u32 i)
{
	return delim_at(ld, i) && ld->buf[RING(i)] == 0;
}

bool ldisc_read_ready(const struct ldisc *ld)
{
	return ld->commit != ld->tail;
}

size_t ldisc_readable(const struct ldisc *ld)
{
	size_t n = 0;

	if (!canon(ld))
		return ld->commit - ld->tail;
	for (u32 i = ld->tail; i != ld->commit; i++)
		n += !eof_mark(ld, i);
	return n;
}

bool ldisc_mid_line(const struct ldisc *ld)
{
	return canon(ld) && ld->tail != ld->commit && !delim_at(ld, ld->tail - 1);
}

ssize_t ldisc_read(struct ldisc *ld, char *dst, size_t len)
{
	size_t n = 0;

	if (ld->commit == ld->tail)
		return -EAGAIN;
	if (!canon(ld)) {
		while (n < len && ld->tail != ld->commit)
			dst[n++] = ld->buf[RING(ld->tail++)];
		return (ssize_t)n;
	}
	/* One line at most; its end of file mark is consumed, not returned. */
	while (n < len && ld->tail != ld->commit) {
		u32 i = ld->tail++;
		bool end = delim_at(ld, i);

		if (end && ld->buf[RING(i)] == 0)
			return (ssize_t)n;
		dst[n++] = ld->buf[RING(i)];
		if (end)
			return (ssize_t)n;
	}
	/* The buffer filled just before a ^D: take the mark too, or the next
	 * read would see an end of file that was never typed alone. */
	if (ld->tail != ld->commit && eof_mark(ld, ld->tail))
		ld->tail++;
	return (ssize_t)n;
}

void ldisc_set_termios(struct ldisc *ld, const struct termios *t)
{
	bool was_canon = canon(ld);

	ld->termios = *t;
	if (was_canon == canon(ld))
		return;
	/* Line ends mean nothing outside canonical mode. */
	memset(ld->delim, 0, sizeof(ld->delim));
	ld->lnext = false;
	if (canon(ld) && ld->head != ld->tail)
		/* What was pending becomes one line, readable as it is. */
		set_delim(ld, ld->head - 1, true);
	ld->commit = ld->head;
}
