/* lwIP's platform hooks on the host (fuzz_mqtt.c): a failed LWIP_ASSERT
 * aborts, so that libFuzzer keeps the input. */
#ifndef TAKT_FUZZ_LWIP_CC_H
#define TAKT_FUZZ_LWIP_CC_H

#include <stdio.h>
#include <stdlib.h>

#define LWIP_PLATFORM_DIAG(x)	do { } while (0)
#define LWIP_PLATFORM_ASSERT(x)	do { fprintf(stderr, "lwIP assert: %s\n", x); abort(); } while (0)

#endif
