/* Everything an application may use. */
#ifndef TAKT_TAKT_H
#define TAKT_TAKT_H

#include <takt/board.h>
#include <takt/device.h>
#include <takt/dt.h>
#include <takt/log.h>
#include <takt/supervisor.h>
#include <takt/sync.h>
#include <takt/thread.h>
#include <takt/time.h>
#include <takt/watchdog.h>

#endif
