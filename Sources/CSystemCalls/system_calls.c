#define _GNU_SOURCE
#include "system_calls.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>

struct job {
    int namespace_fd, domain, type;
    int result, error;
};

// setns(CLONE_NEWNET) moves only the calling thread: a short-lived thread of its own enters the
// namespace, makes the socket and ends, so no thread of the runner ever leaves the host's network.
static void *make_socket(void *argument) {
    struct job *job = argument;
    if (setns(job->namespace_fd, CLONE_NEWNET) != 0) {
        job->error = errno;
        return NULL;
    }
    job->result = socket(job->domain, job->type | SOCK_CLOEXEC, 0);
    if (job->result < 0) job->error = errno;
    return NULL;
}

int lambda_async_socket_in_namespace(int namespace_fd, int domain, int type) {
    struct job job = {namespace_fd, domain, type, -1, 0};
    pthread_t thread;
    int started = pthread_create(&thread, NULL, make_socket, &job);
    if (started != 0) {
        errno = started;
        return -1;
    }
    pthread_join(thread, NULL);
    if (job.result < 0) errno = job.error;
    return job.result;
}

int lambda_async_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}
