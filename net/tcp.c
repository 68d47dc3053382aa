#include "net/proto.h"
#include "net/socket.h"
#include "kernel/lib/errno.h"
void tcp_init(void) {}
void tcp_input(struct pkt *p) { net_count_drop(p->dev, NET_DROP_NO_SOCKET); pkt_free(p); }
int tcp_create(struct socket *so) { return -EPROTONOSUPPORT; }
