/*
 * log_ring.c's ring: 2^log_ring_order slots of one message each. The app
 * build defines it (cmake/takt.cmake, takt_app's LOG_RING: 128 messages for
 * a networked app, whose remote syslog wants the boot's lines, 32 for the
 * others), so that the ring's 216 bytes a message are paid by the apps that
 * want them while the kernel library stays the same for every app.
 */
#ifndef TAKT_LOG_RING_H
#define TAKT_LOG_RING_H

#include <stdint.h>

#include <takt/log.h>

struct log_slot {
	uint64_t turn;
	struct tk_log_msg msg;
};

extern struct log_slot log_ring[];
extern const unsigned log_ring_order;

#define TK_LOG_RING_DEFINE(order)						\
	_Static_assert((order) >= 3 && (order) <= 12, "LOG_RING: 8..4096 messages"); \
	struct log_slot log_ring[1u << (order)];				\
	const unsigned log_ring_order = (order);

#endif
