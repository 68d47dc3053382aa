/*
 * t_net_get ADDR PORT PATH [SHA256]: fetch http://ADDR:PORT/PATH with
 * HTTP/1.0 over a plain TCP socket, hash the body and print
 * "t_net_get: status=S bytes=N sha256=X"; with SHA256 given, also the
 * verdict ("t_net_get: PASS"). Runs the same on Linux.
 */
#include "check.h"
#include "tests/t_net_sha256.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	static char buf[64 * 1024];
	char req[512], hex[65], *body;
	size_t have = 0, bytes = 0;
	struct sha256 sh;
	int fd, status = 0;
	ssize_t n;

	check_name = "t_net_get";
	if (argc < 4) {
		printf("usage: t_net_get ADDR PORT PATH [SHA256]\n");
		return 2;
	}
	sin.sin_port = htons((uint16_t)atoi(argv[2]));
	CHECK(inet_pton(AF_INET, argv[1], &sin.sin_addr) == 1);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		printf("t_net_get: connect %s:%s: %s\n", argv[1], argv[2], strerror(errno));
		check_failures++;
		test_done();
	}
	snprintf(req, sizeof(req), "GET /%s HTTP/1.0\r\nHost: %s\r\n\r\n", argv[3], argv[1]);
	CHECK(write(fd, req, strlen(req)) == (ssize_t)strlen(req));

	/* The header: up to the blank line. */
	body = NULL;
	while (!body && have < sizeof(buf) - 1) {
		n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			break;
		have += (size_t)n;
		buf[have] = 0;
		body = strstr(buf, "\r\n\r\n");
	}
	CHECK(body != NULL);
	if (!body)
		test_done();
	sscanf(buf, "HTTP/%*d.%*d %d", &status);
	body += 4;
	sha256_init(&sh);
	sha256_update(&sh, body, have - (size_t)(body - buf));
	bytes = have - (size_t)(body - buf);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		sha256_update(&sh, buf, (size_t)n);
		bytes += (size_t)n;
	}
	CHECK(n == 0);
	CHECK(close(fd) == 0);
	sha256_final_hex(&sh, hex);
	printf("t_net_get: status=%d bytes=%zu sha256=%s\n", status, bytes, hex);
	CHECK(status == 200);
	if (argc > 4)
		CHECK(!strcmp(hex, argv[4]));
	test_done();
}
