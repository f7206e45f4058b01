/* The seed-003 traffic: small UDP datagrams as fast as possible (or at a
 * set rate), for a bounded time, and a receiver that counts them.
 *
 *   udpflood send ADDR PORT SECONDS [PPS]   prints "sent N"
 *   udpflood recv PORT SECONDS              prints "received N rate R"
 *
 * Meant for a veth pair between network namespaces a test made: it sends
 * only to the address it is given. At most 100 M datagrams, 600 s. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 4 || (strcmp(argv[1], "send") && strcmp(argv[1], "recv")) ||
	    (!strcmp(argv[1], "send") && argc < 5)) {
		fprintf(stderr, "usage: udpflood send ADDR PORT SECONDS [PPS] | recv PORT SECONDS\n");
		return 2;
	}
	int send = !strcmp(argv[1], "send");
	double secs = strtod(argv[send ? 4 : 3], NULL);
	if (secs <= 0 || secs > 600) {
		fprintf(stderr, "udpflood: SECONDS must be in (0, 600]\n");
		return 2;
	}
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[send ? 3 : 2]))};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("udpflood: socket");
		return 1;
	}
	double t0 = now(), end = t0 + secs;
	unsigned long n = 0, max = 100000000UL;
	char buf[64] = "kstall seed 003";
	if (send) {
		double pps = argc > 5 ? strtod(argv[5], NULL) : 0;
		if (inet_pton(AF_INET, argv[2], &sa.sin_addr) != 1) {
			fprintf(stderr, "udpflood: bad address %s\n", argv[2]);
			return 2;
		}
		for (double t = t0; t < end && n < max; n++) {
			if (sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != ENOBUFS &&
			    errno != EAGAIN) {
				perror("udpflood: sendto");
				return 1;
			}
			if ((n & 255) == 0 || pps > 0)
				t = now();
			if (pps > 0 && (double)(n + 1) > (t - t0) * pps) {
				double ahead = (double)(n + 1) / pps - (t - t0);
				if (ahead > 0)
					usleep((useconds_t)(ahead * 1e6));
			}
		}
		printf("sent %lu\n", n);
		return 0;
	}
	sa.sin_addr.s_addr = htonl(INADDR_ANY);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("udpflood: bind");
		return 1;
	}
	struct timeval tv = {0, 200000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	double first = 0, last = 0;
	while (now() < end && n < max) {
		if (recv(fd, buf, sizeof(buf), 0) > 0) {
			last = now();
			if (!n++)
				first = last;
		}
	}
	printf("received %lu rate %.0f\n", n, n > 1 && last > first ? (double)n / (last - first) : 0);
	return 0;
}
