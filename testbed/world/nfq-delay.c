/*
 * mt-nfq-delay: fixed per-link delay for the emulated world on kernels without sch_netem.
 *
 * Usage: mt-nfq-delay QUEUE:MILLISECONDS [QUEUE:MILLISECONDS ...]
 *
 * Runs inside one network namespace. iptables sends each delayed interface's egress packets to
 * its own NFQUEUE number (`-t mangle -A POSTROUTING -o IF -j NFQUEUE --queue-num Q
 * --queue-bypass`); this program holds every packet of queue Q for its delay and then accepts
 * it. Per queue the delay is constant, so a FIFO per queue keeps release order. Plain netlink
 * (NETLINK_NETFILTER), no libnetfilter_queue: the kernel headers are all it needs. With
 * --queue-bypass and fail-open, packets pass undelayed when this program is not running or its
 * queue is full, so a crash never cuts the world.
 */
#define _GNU_SOURCE
/* glibc's socket headers first: the kernel's then skip their own struct in_addr copies. */
#include <arpa/inet.h>
#include <sys/socket.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_QUEUES 128
#define RING 65536 /* packets held per queue at most (kernel queue maxlen is set to the same) */

struct held {
  uint32_t id;
  int64_t release_us;
};

struct queue {
  uint16_t num;
  int64_t delay_us;
  struct held ring[RING];
  unsigned head, tail; /* tail - head = count */
};

static struct queue *queues[MAX_QUEUES];
static int nqueues;
static int fd;
static volatile sig_atomic_t stop;

static int64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void put_attr(char *buf, size_t *len, uint16_t type, const void *data, uint16_t dlen) {
  struct nlattr *a = (struct nlattr *)(buf + *len);
  a->nla_type = type;
  a->nla_len = NLA_HDRLEN + dlen;
  memcpy(buf + *len + NLA_HDRLEN, data, dlen);
  *len += NLA_ALIGN(a->nla_len);
}

/* One nfnetlink queue message: nlmsghdr + nfgenmsg(res_id = queue) + attributes. */
static size_t start_msg(char *buf, uint8_t type, uint16_t queue, uint16_t flags) {
  struct nlmsghdr *nh = (struct nlmsghdr *)buf;
  memset(buf, 0, NLMSG_HDRLEN + sizeof(struct nfgenmsg));
  nh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | type;
  nh->nlmsg_flags = NLM_F_REQUEST | flags;
  struct nfgenmsg *g = (struct nfgenmsg *)NLMSG_DATA(nh);
  g->nfgen_family = AF_UNSPEC;
  g->version = NFNETLINK_V0;
  g->res_id = htons(queue);
  return NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg));
}

static int send_msg(char *buf, size_t len) {
  ((struct nlmsghdr *)buf)->nlmsg_len = (uint32_t)len;
  struct sockaddr_nl to = {.nl_family = AF_NETLINK};
  return sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof to) < 0 ? -1 : 0;
}

/* Sends a config message and waits for its ACK; returns the kernel's error (0 = ok). */
static int config(uint16_t queue, uint16_t attr, const void *data, uint16_t dlen) {
  char buf[256];
  size_t len = start_msg(buf, NFQNL_MSG_CONFIG, queue, NLM_F_ACK);
  put_attr(buf, &len, attr, data, dlen);
  if (send_msg(buf, len) < 0) return errno;
  char rbuf[4096];
  for (;;) {
    ssize_t n = recv(fd, rbuf, sizeof rbuf, 0);
    if (n < 0) return errno;
    for (struct nlmsghdr *nh = (struct nlmsghdr *)rbuf; NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
      if (nh->nlmsg_type == NLMSG_ERROR) return -((struct nlmsgerr *)NLMSG_DATA(nh))->error;
    }
  }
}

static void verdict(uint16_t queue, uint32_t id) {
  char buf[128];
  size_t len = start_msg(buf, NFQNL_MSG_VERDICT, queue, 0);
  struct nfqnl_msg_verdict_hdr v = {.verdict = htonl(NF_ACCEPT), .id = htonl(id)};
  put_attr(buf, &len, NFQA_VERDICT_HDR, &v, sizeof v);
  send_msg(buf, len);
}

static struct queue *find_queue(uint16_t num) {
  for (int i = 0; i < nqueues; i++)
    if (queues[i]->num == num) return queues[i];
  return NULL;
}

static void on_packet(struct nlmsghdr *nh) {
  struct nfgenmsg *g = (struct nfgenmsg *)NLMSG_DATA(nh);
  uint16_t qnum = ntohs(g->res_id);
  int alen = (int)nh->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(sizeof(struct nfgenmsg));
  struct nlattr *a = (struct nlattr *)((char *)g + NLMSG_ALIGN(sizeof(struct nfgenmsg)));
  while (alen >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= alen) {
    if ((a->nla_type & NLA_TYPE_MASK) == NFQA_PACKET_HDR) {
      struct nfqnl_msg_packet_hdr *ph = (struct nfqnl_msg_packet_hdr *)((char *)a + NLA_HDRLEN);
      uint32_t id = ntohl(ph->packet_id);
      struct queue *q = find_queue(qnum);
      if (!q || q->tail - q->head >= RING) {
        verdict(qnum, id); /* unknown queue or full ring: let it pass */
      } else {
        q->ring[q->tail % RING] = (struct held){.id = id, .release_us = now_us() + q->delay_us};
        q->tail++;
      }
      return;
    }
    alen -= NLA_ALIGN(a->nla_len);
    a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
  }
}

static int64_t release_due(void) {
  int64_t t = now_us(), next = -1;
  for (int i = 0; i < nqueues; i++) {
    struct queue *q = queues[i];
    while (q->head != q->tail && q->ring[q->head % RING].release_us <= t) {
      verdict(q->num, q->ring[q->head % RING].id);
      q->head++;
    }
    if (q->head != q->tail) {
      int64_t r = q->ring[q->head % RING].release_us;
      if (next < 0 || r < next) next = r;
    }
  }
  return next;
}

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s QUEUE:MS [QUEUE:MS ...]\n", argv[0]);
    return 2;
  }
  fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER);
  struct sockaddr_nl local = {.nl_family = AF_NETLINK};
  if (fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof local) < 0) {
    perror("mt-nfq-delay: netlink socket");
    return 1;
  }
  int rcv = 8 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv);
  for (int i = 1; i < argc && nqueues < MAX_QUEUES; i++) {
    unsigned qn;
    double ms;
    if (sscanf(argv[i], "%u:%lf", &qn, &ms) != 2 || qn > 65535 || ms < 0) {
      fprintf(stderr, "mt-nfq-delay: bad argument %s (want QUEUE:MS)\n", argv[i]);
      return 2;
    }
    struct queue *q = calloc(1, sizeof *q);
    if (!q) return 1;
    q->num = (uint16_t)qn;
    q->delay_us = (int64_t)(ms * 1000);
    queues[nqueues++] = q;
    struct nfqnl_msg_config_cmd bindcmd = {.command = NFQNL_CFG_CMD_BIND, .pf = htons(AF_INET)};
    struct nfqnl_msg_config_params params = {.copy_range = htonl(0), .copy_mode = NFQNL_COPY_META};
    uint32_t maxlen = htonl(RING);
    uint32_t flags[2] = {htonl(NFQA_CFG_F_FAIL_OPEN), htonl(NFQA_CFG_F_FAIL_OPEN)}; /* value, mask */
    int err = config(q->num, NFQA_CFG_CMD, &bindcmd, sizeof bindcmd);
    if (!err) err = config(q->num, NFQA_CFG_PARAMS, &params, sizeof params);
    if (!err) err = config(q->num, NFQA_CFG_QUEUE_MAXLEN, &maxlen, sizeof maxlen);
    if (!err) config(q->num, NFQA_CFG_FLAGS, flags, sizeof flags); /* optional: older kernels lack it */
    if (err) {
      fprintf(stderr, "mt-nfq-delay: binding queue %u failed: %s\n", qn, strerror(err));
      return 1;
    }
  }
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  printf("mt-nfq-delay ready: %d queue(s)\n", nqueues);
  fflush(stdout);
  static char buf[1 << 16];
  while (!stop) {
    int64_t next = release_due();
    int timeout = next < 0 ? 1000 : (int)((next - now_us() + 999) / 1000);
    if (timeout < 0) timeout = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r = poll(&p, 1, timeout);
    if (r <= 0) continue;
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0) continue; /* ENOBUFS: the kernel dropped messages; fail-open handles the rest */
    for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
      if (nh->nlmsg_type == ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET)) on_packet(nh);
    }
  }
  /* Release everything still held, so stopping never drops packets. */
  for (int i = 0; i < nqueues; i++)
    for (struct queue *q = queues[i]; q->head != q->tail; q->head++) verdict(q->num, q->ring[q->head % RING].id);
  return 0;
}
