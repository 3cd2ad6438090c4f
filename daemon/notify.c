// SPDX-License-Identifier: GPL-2.0
/*
 * The service manager's readiness protocol (sd_notify(3)), written out:
 * one datagram such as "READY=1" to the AF_UNIX socket named by
 * $NOTIFY_SOCKET, a path or, when it starts with '@', an abstract name.
 * Twenty lines instead of a dependency on libsystemd; without
 * $NOTIFY_SOCKET (not under systemd's Type=notify) nothing is sent.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "kztd.h"

/**
 * kztd_notify() - tell the service manager about kztd's state
 * @state: newline-separated assignments, e.g. "READY=1"
 *
 * A failure is logged and otherwise ignored: systemd then times the start
 * out and says so, which is the right outcome.
 */
void kztd_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len;
	int fd;

	if (!path || !*path)
		return;
	len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof(sun.sun_path)) {
		log_warn("NOTIFY_SOCKET '%s' is not a socket path or an abstract name: not notified",
			 path);
		return;
	}
	memcpy(sun.sun_path, path, len);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    sendto(fd, state, strlen(state), MSG_NOSIGNAL,
		   (struct sockaddr *)&sun,
		   offsetof(struct sockaddr_un, sun_path) + len) < 0)
		log_warn("Unable to notify the service manager (%s): %s", path,
			 strerror(errno));
	else
		log_debug("notified the service manager: %s", state);
	if (fd >= 0)
		close(fd);
}
