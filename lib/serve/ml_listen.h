/*
 * ml_listen: a listening TCP socket and one thread that accepts its
 * connections and hands each to a callback, which chooses who serves it.
 *
 * ml-serve's workers each run their own event loop over the connections
 * they are given.  When every worker listened on the socket itself, the
 * first to wake took each new connection: a client that opened 16
 * connections at once often had 14 on one worker and 2 on the other, and
 * the busy one queued requests while the other idled.  One acceptor that
 * hands connections out gives each worker its share.
 */
#ifndef ML_LISTEN_H
#define ML_LISTEN_H

#include <stdbool.h>
#include <sys/socket.h>

#include "core/ml_error.h"

typedef struct ml_listener ml_listener;

/*
 * Takes a connected socket (non-blocking, close-on-exec) and owns it from
 * then on, whatever it does with it.  Called on the listener's thread.
 */
typedef void (*ml_listen_take)(void *context, int socket, const struct sockaddr *peer,
			       socklen_t peer_length);
/* Reports a failure to accept ("accept: Too many open files"); the listener goes on. */
typedef void (*ml_listen_report)(void *context, const char *message);

/*
 * Binds address (an IPv6 one answers IPv6 only), listens, and starts the
 * thread; NULL with err set when the address cannot be had.
 */
ml_listener *ml_listen_start(const struct sockaddr *address, socklen_t length,
			     ml_listen_take take, ml_listen_report report, void *context,
			     ml_error *err);
/* The port bound (the one picked for port 0). */
unsigned ml_listen_port(const ml_listener *listener);
/*
 * Stops accepting and closes the socket: connections that come after are
 * refused.  Those already handed over are not touched.  Accepts NULL.
 */
void ml_listen_stop(ml_listener *listener);

#endif
