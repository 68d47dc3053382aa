// uses: kernel/proc/tty_ldisc.c
/*
 * The line discipline byte by byte: what a read returns and what is echoed
 * for canonical editing (erase in both backspace conventions, kill,
 * werase, ^D, VEOL, literal next, reprint), input mapping (ICRNL, INLCR,
 * IGNCR), output processing (ONLCR, tabs), signal keys with and without
 * NOFLSH, IXON, non-canonical reads and mode switches, and a full ring.
 */
#include "tests/unit/unit.h"
#include "kernel/proc/tty.h"
#include "kernel/lib/errno.h"

static struct ldisc ld;
static char echoed[16384];
static size_t echoed_len;
static int keys[16];
static int nkeys;

static void emit(void *ctx, const char *s, size_t n)
{
	if (echoed_len + n >= sizeof(echoed))
		abort();
	memcpy(echoed + echoed_len, s, n);
	echoed_len += n;
	echoed[echoed_len] = 0;
}

static void isig(void *ctx, int key)
{
	if (nkeys < 16)
		keys[nkeys++] = key;
}

static void setup(void)
{
	ldisc_init(&ld, emit, isig, NULL);
	echoed_len = 0;
	echoed[0] = 0;
	nkeys = 0;
}

static void type(const char *s)
{
	ldisc_receive(&ld, s, strlen(s));
}

/* One read of up to len bytes, as a NUL-terminated string; "EAGAIN" if
 * nothing was readable. */
static const char *rd(size_t len)
{
	static char buf[8192];
	ssize_t n = ldisc_read(&ld, buf, len);

	if (n == -EAGAIN)
		return "EAGAIN";
	buf[n] = 0;
	return buf;
}

static void set_lflag(unsigned on, unsigned off)
{
	struct termios t = ld.termios;

	t.c_lflag = (t.c_lflag | on) & ~off;
	ldisc_set_termios(&ld, &t);
}

UNIT_TEST(canonical_line_is_read_whole_and_echoed_with_crlf)
{
	setup();
	type("ls -l");
	EXPECT_STREQ(rd(100), "EAGAIN");
	EXPECT(!ldisc_read_ready(&ld));
	type("\r");
	EXPECT(ldisc_read_ready(&ld));
	EXPECT_EQ(ldisc_readable(&ld), 6);
	EXPECT_STREQ(echoed, "ls -l\r\n");
	EXPECT_STREQ(rd(100), "ls -l\n");
	EXPECT_STREQ(rd(100), "EAGAIN");
}

UNIT_TEST(canonical_read_takes_one_line_and_short_reads_resume)
{
	setup();
	type("one\ntwo\n");
	EXPECT_STREQ(rd(100), "one\n");
	EXPECT_STREQ(rd(2), "tw");
	EXPECT_STREQ(rd(100), "o\n");
	EXPECT_STREQ(rd(100), "EAGAIN");
}

UNIT_TEST(erase_with_del_and_with_ctrl_h_rubs_out)
{
	setup();
	type("abx\x7f" "c\b\bd\n");
	EXPECT_STREQ(rd(100), "ad\n");
	EXPECT_STREQ(echoed, "abx\b \bc\b \b\b \bd\r\n");
}

UNIT_TEST(erase_at_line_start_does_nothing)
{
	setup();
	type("\x7f\x7f" "a\n");
	EXPECT_STREQ(rd(100), "a\n");
	EXPECT_STREQ(echoed, "a\r\n");
}

UNIT_TEST(erase_without_echoe_echoes_the_erase_key)
{
	setup();
	set_lflag(0, ECHOE | ECHOCTL);
	type("ab\x7f\n");
	EXPECT_STREQ(rd(100), "a\n");
	EXPECT_STREQ(echoed, "ab\x7f\r\n");
}

UNIT_TEST(erase_control_char_rubs_out_two_columns)
{
	setup();
	type("a\x01\x7f\n");
	EXPECT_STREQ(rd(100), "a\n");
	EXPECT_STREQ(echoed, "a^A\b \b\b \b\r\n");
}

UNIT_TEST(erase_tab_backs_up_to_the_previous_column)
{
	setup();
	/* A prompt of 3 columns, then "ab" and a tab to column 8. */
	ldisc_write(&ld, "$> ", 3);
	type("ab\t\x7f");
	EXPECT_EQ(ld.column, 5);
	type("\n");
	EXPECT_STREQ(rd(100), "ab\n");
	EXPECT_STREQ(echoed, "$> ab\t\b\b\b\r\n");
}

UNIT_TEST(erase_utf8_character_as_a_whole)
{
	setup();
	type("a\xc3\xa9\x7f\n");
	EXPECT_STREQ(rd(100), "a\n");
	/* One column rubbed out for a two-byte character. */
	EXPECT_STREQ(echoed, "a\xc3\xa9\b \b\r\n");
}

UNIT_TEST(kill_erases_the_line_visually_with_echoke)
{
	setup();
	type("junk\x15ok\n");
	EXPECT_STREQ(rd(100), "ok\n");
	EXPECT_STREQ(echoed, "junk\b \b\b \b\b \b\b \bok\r\n");
}

UNIT_TEST(kill_without_echoke_echoes_key_and_newline)
{
	setup();
	set_lflag(0, ECHOKE);
	type("junk\x15ok\n");
	EXPECT_STREQ(rd(100), "ok\n");
	EXPECT_STREQ(echoed, "junk^U\r\nok\r\n");
}

UNIT_TEST(werase_erases_blanks_then_a_word)
{
	setup();
	type("echo foo bar-baz  \x17\x17\x17X\n");
	/* Each ^W stops at the first non-word byte after a word: it takes
	 * "baz  ", then "bar-", then "foo ". */
	EXPECT_STREQ(rd(100), "echo X\n");
}

UNIT_TEST(werase_stops_before_punctuation_after_a_word)
{
	setup();
	type("a/bc\x17\n");
	EXPECT_STREQ(rd(100), "a/\n");
}

UNIT_TEST(eof_on_empty_line_reads_zero)
{
	setup();
	type("\x04");
	EXPECT(ldisc_read_ready(&ld));
	EXPECT_EQ(ldisc_readable(&ld), 0);
	EXPECT_STREQ(rd(100), "");
	EXPECT_STREQ(rd(100), "EAGAIN");
	EXPECT_STREQ(echoed, "");
}

UNIT_TEST(eof_after_text_returns_the_partial_line_without_eof)
{
	setup();
	type("abc\x04" "def\n");
	EXPECT_STREQ(rd(100), "abc");
	EXPECT_STREQ(rd(100), "def\n");
}

UNIT_TEST(eof_mark_is_consumed_when_buffer_fills_just_before_it)
{
	setup();
	type("abc\x04\x04");
	EXPECT_STREQ(rd(3), "abc");
	/* The second ^D is an end of file of its own. */
	EXPECT_STREQ(rd(100), "");
	EXPECT_STREQ(rd(100), "EAGAIN");
}

UNIT_TEST(veol_ends_a_line_and_is_returned)
{
	struct termios t;

	setup();
	t = ld.termios;
	t.c_cc[VEOL] = ';';
	ldisc_set_termios(&ld, &t);
	type("a;b");
	EXPECT_STREQ(rd(100), "a;");
	EXPECT_STREQ(rd(100), "EAGAIN");
}

UNIT_TEST(disabled_cc_does_not_match_nul)
{
	setup();
	/* VEOL and VEOL2 are 0 (disabled): a NUL byte is plain input. */
	ldisc_receive(&ld, "a\0b\n", 4);
	EXPECT_EQ(ldisc_read(&ld, (char[8]){0}, 8), 4);
}

UNIT_TEST(icrnl_inlcr_igncr)
{
	struct termios t;

	setup();
	type("a\rb\n");
	EXPECT_STREQ(rd(100), "a\n");
	EXPECT_STREQ(rd(100), "b\n");
	t = ld.termios;
	t.c_iflag = (t.c_iflag & ~ICRNL) | IGNCR;
	ldisc_set_termios(&ld, &t);
	type("c\r\n");
	EXPECT_STREQ(rd(100), "c\n");
	/* INLCR without ICRNL: a newline arrives as CR, which does not end
	 * the line (and CR is ignored with IGNCR only before mapping). */
	t.c_iflag = (t.c_iflag & ~IGNCR) | INLCR;
	ldisc_set_termios(&ld, &t);
	type("d\n");
	EXPECT_STREQ(rd(100), "EAGAIN");
	t.c_lflag &= ~ICANON;
	ldisc_set_termios(&ld, &t);
	EXPECT_STREQ(rd(100), "d\r");
}

UNIT_TEST(echo_off_echoes_nothing_but_echonl_echoes_newline)
{
	setup();
	set_lflag(ECHONL, ECHO);
	type("secret\n");
	EXPECT_STREQ(rd(100), "secret\n");
	EXPECT_STREQ(echoed, "\r\n");
}

UNIT_TEST(echoctl_shows_control_characters_as_caret)
{
	setup();
	type("\x01\x1b\n");
	EXPECT_STREQ(echoed, "^A^[\r\n");
	setup();
	set_lflag(0, ECHOCTL);
	type("\x01\n");
	EXPECT_STREQ(echoed, "\x01\r\n");
}

UNIT_TEST(lnext_takes_the_next_key_literally)
{
	setup();
	type("a\x16\x7f\x16\x03\n");
	EXPECT_EQ(nkeys, 0);
	EXPECT_STREQ(rd(100), "a\x7f\x03\n");
	EXPECT_STREQ(echoed, "a^\b^?^\b^C\r\n");
}

UNIT_TEST(reprint_shows_the_line_again)
{
	setup();
	type("abc\x12");
	EXPECT_STREQ(echoed, "abc^R\r\nabc");
	type("\n");
	EXPECT_STREQ(rd(100), "abc\n");
}

UNIT_TEST(isig_keys_flush_input_and_call_the_hook)
{
	setup();
	type("done\npartial\x03");
	EXPECT_EQ(nkeys, 1);
	EXPECT_EQ(keys[0], VINTR);
	EXPECT_STREQ(rd(100), "EAGAIN");
	EXPECT_STREQ(echoed, "done\r\npartial^C");
	type("\x1c\x1a");
	EXPECT_EQ(nkeys, 3);
	EXPECT_EQ(keys[1], VQUIT);
	EXPECT_EQ(keys[2], VSUSP);
}

UNIT_TEST(isig_with_noflsh_keeps_input)
{
	setup();
	set_lflag(NOFLSH, 0);
	type("keep\n\x03");
	EXPECT_EQ(nkeys, 1);
	EXPECT_STREQ(rd(100), "keep\n");
}

UNIT_TEST(isig_off_passes_keys_as_data)
{
	setup();
	set_lflag(0, ISIG | ICANON);
	type("\x03\x1a");
	EXPECT_EQ(nkeys, 0);
	EXPECT_STREQ(rd(100), "\x03\x1a");
}

UNIT_TEST(isig_works_in_noncanonical_mode)
{
	setup();
	set_lflag(0, ICANON | ECHO);
	type("x\x03");
	EXPECT_EQ(nkeys, 1);
	EXPECT_STREQ(rd(100), "EAGAIN");
}

UNIT_TEST(ixon_stop_start_are_consumed)
{
	setup();
	type("a\x13");
	EXPECT(ld.stopped);
	type("\x11" "b\n");
	EXPECT(!ld.stopped);
	EXPECT_STREQ(rd(100), "ab\n");
}

UNIT_TEST(noncanonical_reads_bytes_as_they_come)
{
	setup();
	set_lflag(0, ICANON | ECHO);
	type("ab");
	EXPECT_EQ(ldisc_readable(&ld), 2);
	EXPECT_STREQ(rd(1), "a");
	EXPECT_STREQ(rd(100), "b");
	/* Editing keys are data; ^D is data. */
	type("\x7f\x15\x04\r");
	EXPECT_STREQ(rd(100), "\x7f\x15\x04\n");
	EXPECT_STREQ(echoed, "");
}

UNIT_TEST(cbreak_echoes_but_does_not_edit)
{
	setup();
	set_lflag(0, ICANON);
	type("a\x7f\r");
	EXPECT_STREQ(rd(100), "a\x7f\n");
	EXPECT_STREQ(echoed, "a^?\r\n");
}

UNIT_TEST(switch_to_raw_makes_the_edited_line_readable)
{
	setup();
	type("done\nhalf");
	set_lflag(0, ICANON);
	EXPECT_STREQ(rd(100), "done\nhalf");
}

UNIT_TEST(switch_to_canonical_makes_pending_input_one_line)
{
	setup();
	set_lflag(0, ICANON);
	type("raw");
	set_lflag(ICANON, 0);
	EXPECT(ldisc_read_ready(&ld));
	EXPECT_STREQ(rd(100), "raw");
	type("\x7f");   /* nothing left to erase */
	type("x\n");
	EXPECT_STREQ(rd(100), "x\n");
}

UNIT_TEST(onlcr_and_opost_on_output)
{
	struct termios t;

	setup();
	ldisc_write(&ld, "a\nb", 3);
	EXPECT_STREQ(echoed, "a\r\nb");
	EXPECT_EQ(ld.column, 1);
	t = ld.termios;
	t.c_oflag &= ~OPOST;
	ldisc_set_termios(&ld, &t);
	ldisc_write(&ld, "\n", 1);
	EXPECT_STREQ(echoed, "a\r\nb\n");
	t.c_oflag |= OPOST | XTABS;
	ldisc_set_termios(&ld, &t);
	echoed_len = 0;
	ldisc_write(&ld, "\r12\t|", 5);
	EXPECT_STREQ(echoed, "\r12      |");
	EXPECT_EQ(ld.column, 9);
}

UNIT_TEST(ocrnl_onocr)
{
	struct termios t;

	setup();
	t = ld.termios;
	t.c_oflag |= ONOCR;
	ldisc_set_termios(&ld, &t);
	ldisc_write(&ld, "\rx\r", 3);
	EXPECT_STREQ(echoed, "x\r");
	t.c_oflag = OPOST | OCRNL;
	ldisc_set_termios(&ld, &t);
	echoed_len = 0;
	ldisc_write(&ld, "y\r", 2);
	EXPECT_STREQ(echoed, "y\n");
}

UNIT_TEST(full_ring_in_canonical_mode_keeps_room_for_the_line_end)
{
	static char big[LDISC_BUF_SIZE + 10];

	setup();
	set_lflag(0, ECHO);
	memset(big, 'x', sizeof(big));
	ldisc_receive(&ld, big, sizeof(big));
	EXPECT_EQ(ld.dropped, 11);
	EXPECT_EQ(ldisc_room(&ld), 1);
	type("\n");
	EXPECT_EQ(ldisc_read(&ld, big, sizeof(big)), LDISC_BUF_SIZE);
	EXPECT_EQ(big[LDISC_BUF_SIZE - 1], '\n');
	EXPECT_EQ(ldisc_room(&ld), LDISC_BUF_SIZE);
}

UNIT_TEST(full_ring_in_raw_mode_drops_and_counts)
{
	static char big[LDISC_BUF_SIZE + 5];

	setup();
	set_lflag(0, ICANON | ECHO);
	memset(big, 'y', sizeof(big));
	ldisc_receive(&ld, big, sizeof(big));
	EXPECT_EQ(ld.dropped, 5);
	EXPECT_EQ(ldisc_room(&ld), 0);
	EXPECT_EQ(ldisc_read(&ld, big, 10), 10);
	EXPECT_EQ(ldisc_room(&ld), 10);
	/* Wrapping around the ring keeps the order. */
	type("0123456789");
	EXPECT_EQ(ldisc_read(&ld, big, sizeof(big)), LDISC_BUF_SIZE);
	EXPECT_EQ(big[LDISC_BUF_SIZE - 10], '0');
	EXPECT_EQ(big[LDISC_BUF_SIZE - 1], '9');
}

UNIT_TEST(flush_input_discards_lines_and_the_edited_line)
{
	setup();
	type("a\nb");
	ldisc_flush_input(&ld);
	EXPECT_STREQ(rd(100), "EAGAIN");
	type("c\n");
	EXPECT_STREQ(rd(100), "c\n");
}
