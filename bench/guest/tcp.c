/*
 * TCP throughput to the host: connect to ADDR:PORT (QEMU's user network
 * forwards 10.0.2.2 to the host's loopback), send MIB MiB in 64 KiB
 * writes, shut down the sending side and wait for the host to close. The
 * host (bench/compare.py) times first byte to end of stream; the guest's
 * own figure (connect to the host's close) is printed as tcp_tx_guest.
 *
 *   tcp ADDR PORT [MIB]
 */
#include "bench.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHUNK (64u << 10)

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	uint64_t size, t0;
	char *buf = calloc(1, CHUNK);
	int fd;

	if (argc < 3 || !buf || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		bench_na("tcp_tx_guest", "usage: tcp ADDR PORT [MIB]");
		return 2;
	}
	sa.sin_port = htons((uint16_t)atoi(argv[2]));
	size = (uint64_t)(argc > 3 ? atol(argv[3]) : 64) << 20;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0) {
		bench_na("tcp_tx_guest", "socket: %s", strerror(errno));
		return 1;
	}
	t0 = bench_now_ns();
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		bench_na("tcp_tx_guest", "connect %s:%s: %s", argv[1], argv[2], strerror(errno));
		return 1;
	}
	for (uint64_t sent = 0; sent < size;) {
		ssize_t w = write(fd, buf, CHUNK);

		if (w <= 0) {
			bench_na("tcp_tx_guest", "write: %s", strerror(errno));
			return 1;
		}
		sent += (uint64_t)w;
	}
	if (shutdown(fd, SHUT_WR) || read(fd, buf, 1) != 0) {
		bench_na("tcp_tx_guest", "no clean close from the host: %s", strerror(errno));
		return 1;
	}
	bench_result("tcp_tx_guest", (double)size / ((double)(bench_now_ns() - t0) / 1e3),
		     "MB/s", "");
	close(fd);
	return 0;
}
