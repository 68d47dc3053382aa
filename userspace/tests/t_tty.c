/*
 * The console as a terminal, as far as non-interactive programs ask:
 * TCGETS/TCSETS and the window size, and poll saying it can be written.
 */
#include "check.h"
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

int main(void)
{
	struct termios tio;
	struct winsize ws;
	struct pollfd p = { .fd = 1, .events = POLLOUT };

	check_name = "t_tty";
	CHECK(isatty(1));
	CHECK(ioctl(1, TCGETS, &tio) == 0);
	CHECK(ioctl(1, TCSETS, &tio) == 0);
	CHECK(ioctl(1, TIOCGWINSZ, &ws) == 0);
	CHECK(ioctl(1, TIOCSWINSZ, &ws) == 0);
	CHECK(poll(&p, 1, 1000) == 1 && (p.revents & POLLOUT));
	test_done();
}
