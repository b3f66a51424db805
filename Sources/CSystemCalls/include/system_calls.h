#ifndef LAMBDA_ASYNC_NETWORK_NAMESPACE_H
#define LAMBDA_ASYNC_NETWORK_NAMESPACE_H

/// A close-on-exec socket that belongs to the network namespace `namespace_fd` refers to (an open
/// /proc/PID/ns/net). A socket keeps the namespace it was created in for life, so the runner can
/// bind, listen, accept and connect on it from its own threads. Returns -1 with errno set on failure.
int lambda_async_socket_in_namespace(int namespace_fd, int domain, int type);

#endif
