// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /dev/mktty: the id handshake and the byte relay of kerf console.
 */
#include "kernel/console.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int mktty_open(const struct kport *kp, const char *name, int id,
	       struct diags *d)
{
	char *path = kp_path(kp, KP_MKTTY), sel[16];
	int fd, err, n;
	ssize_t w;

	kp_log(kp, "open(\"%s\", O_RDWR)", path);
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		err = errno;
		kp_err(d, "cannot open the console device %s: %s", path,
		       strerror(err));
		if (err == ENOENT)
			kp_hint(d, "The kernel needs CONFIG_MKTTY=y.");
		else if (err == EACCES || err == EPERM)
			kp_hint(d, "Run kerf as root.");
		free(path);
		return -err;
	}
	n = snprintf(sel, sizeof(sel), "%d\n", id);
	kp_log(kp, "write(\"%s\", \"%d\\n\")", path, id);
	w = write(fd, sel, (size_t)n);
	if (w != n) {
		err = w < 0 ? errno : EIO;
		kp_err(d, "cannot attach to the console of instance '%s' (id "
		       "%d): %s", name, id, err == ENODEV ?
		       "the console device knows no such instance" :
		       strerror(err));
		close(fd);
		free(path);
		return -err;
	}
	free(path);
	return fd;
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Console output to the user, with \n -> \r\n for a raw terminal. */
static int put_output(const struct console_io *io, const char *buf,
		      size_t len, bool *last_cr)
{
	char out[8192];
	size_t i, n = 0;
	int ret;

	if (!io->crlf)
		return write_all(io->out_fd, buf, len);
	for (i = 0; i < len; i++) {
		if (n + 2 > sizeof(out)) {
			ret = write_all(io->out_fd, out, n);
			if (ret)
				return ret;
			n = 0;
		}
		if (buf[i] == '\n' && !*last_cr)
			out[n++] = '\r';
		out[n++] = buf[i];
		*last_cr = buf[i] == '\r';
	}
	return write_all(io->out_fd, out, n);
}

/*
 * Keyboard input to the instance, watching for Ctrl-] '.'.  *esc carries
 * a pending Ctrl-] across reads.  Returns 1 on detach.
 */
static int put_input(const struct console_io *io, const char *buf,
		     size_t len, bool *esc)
{
	char out[4096 + 2];
	size_t i, n = 0;
	int ret;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (*esc) {
			*esc = false;
			if (c == CONSOLE_DETACH) {
				ret = write_all(io->tty_fd, out, n);
				return ret ? ret : 1;
			}
			/* Not an escape after all: send both. */
			out[n++] = CONSOLE_ESCAPE;
			if (c == CONSOLE_ESCAPE) {
				*esc = true;
				continue;
			}
			out[n++] = (char)c;
			continue;
		}
		if (c == CONSOLE_ESCAPE) {
			*esc = true;
			continue;
		}
		out[n++] = (char)c;
	}
	return write_all(io->tty_fd, out, n);
}

/*
 * Ctrl-] . ends the relay at once, but what the instance already wrote
 * (the echo of input sent in the same read, say) is still owed to the
 * user: pass on what is there without waiting for more.
 */
static int drain_output(const struct console_io *io, bool *last_cr)
{
	char buf[4096];
	int i, ret;

	for (i = 0; i < 64; i++) {
		struct pollfd p = { .fd = io->tty_fd, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN))
			return 0;
		r = read(io->tty_fd, buf, sizeof(buf));
		if (r <= 0)
			return r < 0 && errno != EINTR && errno != EAGAIN ?
			       -errno : 0;
		ret = put_output(io, buf, (size_t)r, last_cr);
		if (ret)
			return ret;
	}
	return 0;
}

enum console_end console_relay(const struct console_io *io, int *err)
{
	struct sigaction sa, old_term, old_hup, old_int;
	long long last_check = now_ms(), quiet_since = 0;
	bool in_open = true, esc = false, last_cr = false;
	enum console_end end;
	char buf[4096];
	int ret;

	*err = 0;
	got_signal = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	sigaction(SIGINT, &sa, &old_int);
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = io->tty_fd, .events = POLLIN },
			{ .fd = in_open ? io->in_fd : -1, .events = POLLIN },
		};
		long long t;
		int n;

		if (got_signal) {
			end = CONSOLE_SIGNAL;
			break;
		}
		n = poll(p, 2, 100);
		if (n < 0 && errno != EINTR) {
			*err = errno;
			end = CONSOLE_ERROR;
			break;
		}
		t = now_ms();
		if (n > 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t r = read(io->tty_fd, buf, sizeof(buf));

			if (r < 0 && errno != EINTR && errno != EAGAIN) {
				*err = errno;
				end = CONSOLE_ERROR;
				break;
			}
			if (r == 0 && (p[0].revents & POLLHUP)) {
				end = CONSOLE_STOPPED;
				break;
			}
			if (r > 0) {
				ret = put_output(io, buf, (size_t)r, &last_cr);
				if (ret) {
					*err = -ret;
					end = CONSOLE_ERROR;
					break;
				}
				quiet_since = t;
			}
		}
		if (n > 0 && in_open &&
		    (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t r = read(io->in_fd, buf, sizeof(buf));

			if (r < 0 && errno != EINTR && errno != EAGAIN) {
				*err = errno;
				end = CONSOLE_ERROR;
				break;
			}
			if (r == 0) {
				in_open = false;
				quiet_since = t;
			} else if (r > 0) {
				ret = put_input(io, buf, (size_t)r, &esc);
				if (ret == 1) {
					ret = drain_output(io, &last_cr);
					if (ret) {
						*err = -ret;
						end = CONSOLE_ERROR;
						break;
					}
					end = CONSOLE_DETACHED;
					break;
				}
				if (ret < 0) {
					*err = -ret;
					end = CONSOLE_ERROR;
					break;
				}
			}
		}
		if (!in_open && t - quiet_since >= (long long)io->idle_ms) {
			end = CONSOLE_INPUT_EOF;
			break;
		}
		if (io->alive && t - last_check >= 1000) {
			last_check = t;
			if (!io->alive(io->data)) {
				end = CONSOLE_STOPPED;
				break;
			}
		}
	}
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sigaction(SIGINT, &old_int, NULL);
	return end;
}
