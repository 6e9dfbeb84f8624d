/* What lwipopts.h and arch/cc.h need from the port (net/port/sys_arch.c). */
#ifndef TAKT_LWIP_PORT_H
#define TAKT_LWIP_PORT_H

#include <stdint.h>

uint32_t tk_lwip_rand(void);
void tk_lwip_set_prio(int prio);
void tk_lwip_assert_core_locked(void);	/* PANIC unless the caller holds it */
void tk_lwip_mark_tcpip_thread(void);
/* net/sntp.c: lwIP's SNTP client's time (Unix seconds and us) and port. */
void takt_sntp_set_time(uint32_t sec, uint32_t us);
extern uint16_t takt_sntp_port;	/* from then on, checked */	/* before the first network thread starts */

#endif
