#ifndef LAMBDA_ASYNC_SYSTEM_CALLS_H
#define LAMBDA_ASYNC_SYSTEM_CALLS_H

/// A close-on-exec socket that belongs to the network namespace `namespace_fd` refers to (an open
/// /proc/PID/ns/net). A socket keeps the namespace it was created in for life, so the runner can
/// bind, listen, accept and connect on it from its own threads. Returns -1 with errno set on failure.
int lambda_async_socket_in_namespace(int namespace_fd, int domain, int type);

#include <spawn.h>

/// Closes, in the child `actions` spawn, every descriptor from `lowest` up (glibc's
/// posix_spawn_file_actions_addclosefrom_np, which Swift's Glibc module does not show): a process
/// the runner starts holds only the descriptors it is given, whatever the runner has open.
int lambda_async_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest);

#endif
