/*
 * The constructor stage: the only C in the runtime.
 *
 * A .NET process is multi-threaded before Main runs, and the kernel refuses
 * unshare(CLONE_NEWUSER) and setns() into user/mount namespaces for
 * multi-threaded processes; forking from managed code can hang the child on
 * the GC. So, like runc's nsexec, this runs as an ELF constructor while the
 * process is still single-threaded, before the .NET runtime starts.
 *
 * It does nothing unless _RUNTIME_INITPIPE names a socket inherited from the
 * parent `runtime`. Then it reads one bootstrap message, joins namespaces by
 * path (user first), unshares the new ones, lets the parent write the id
 * maps, forks once more when a pid or time namespace needs a child to take
 * effect, reports the final pid and returns: the .NET runtime then starts
 * inside the namespaces and managed `init` continues on the same socket.
 *
 * No policy lives here. Every length read from the socket is bounded
 * (CVE-2021-43784 was an integer overflow in exactly this kind of parser).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "nsexec.h"

static int init_pipe = -1;

int nsexec_abi_version(void) { return NSEXEC_ABI_VERSION; }
int nsexec_initpipe(void) { return init_pipe; }

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EPIPE;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int send_frame(uint32_t type, const void *payload, uint32_t len)
{
	struct ns_frame hdr = { .type = type, .len = len };
	if (write_all(init_pipe, &hdr, sizeof(hdr)) < 0)
		return -1;
	return len ? write_all(init_pipe, payload, len) : 0;
}

/* Report the failure to the parent (it prints it) and exit. */
__attribute__((noreturn, format(printf, 1, 2))) static void bail(const char *fmt, ...)
{
	char msg[512];
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	if (saved)
		n += snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s", strerror(saved));
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	if (init_pipe < 0 || send_frame(NS_MSG_ERROR, msg, (uint32_t)n) < 0)
		fprintf(stderr, "runtime init: %s\n", msg);
	_exit(1);
}

static void expect_frame(uint32_t type, void *payload, uint32_t *len, uint32_t max)
{
	struct ns_frame hdr;
	if (read_all(init_pipe, &hdr, sizeof(hdr)) < 0)
		bail("nsexec: read frame header");
	if (hdr.type != type) {
		errno = 0;
		bail("nsexec: expected message %u, got %u", type, hdr.type);
	}
	if (hdr.len > max) {
		errno = 0;
		bail("nsexec: message %u too long (%u > %u bytes)", type, hdr.len, max);
	}
	if (hdr.len && read_all(init_pipe, payload, hdr.len) < 0)
		bail("nsexec: read message %u", type);
	*len = hdr.len;
}

struct bootstrap {
	uint32_t clone_flags;
	int nspaths;
	uint32_t nstype[NS_MAX_PATHS];
	const char *nspath[NS_MAX_PATHS];
	const char *timens_offsets;
};

static const char *nsname(uint32_t type)
{
	switch (type) {
	case CLONE_NEWUSER: return "user";
	case CLONE_NEWNS: return "mnt";
	case CLONE_NEWPID: return "pid";
	case CLONE_NEWNET: return "net";
	case CLONE_NEWUTS: return "uts";
	case CLONE_NEWIPC: return "ipc";
	case CLONE_NEWCGROUP: return "cgroup";
	case NS_CLONE_NEWTIME: return "time";
	default: return NULL;
	}
}

/* Parse the TLV records of the bootstrap payload; every field is checked against the buffer. */
static void parse_bootstrap(char *buf, uint32_t len, struct bootstrap *bs)
{
	uint32_t off = 0;
	memset(bs, 0, sizeof(*bs));
	errno = 0;
	while (off < len) {
		struct ns_attr attr;
		if (len - off < sizeof(attr))
			bail("nsexec: truncated attribute header at offset %u", off);
		memcpy(&attr, buf + off, sizeof(attr));
		off += sizeof(attr);
		if (attr.len > len - off)
			bail("nsexec: attribute %u length %u exceeds message", attr.type, attr.len);
		char *data = buf + off;
		switch (attr.type) {
		case NS_ATTR_CLONE_FLAGS:
			if (attr.len != sizeof(uint32_t))
				bail("nsexec: clone flags must be 4 bytes");
			memcpy(&bs->clone_flags, data, sizeof(uint32_t));
			if (bs->clone_flags & ~NS_ALLOWED_FLAGS)
				bail("nsexec: unsupported clone flags 0x%x", bs->clone_flags);
			break;
		case NS_ATTR_NS_PATH: {
			uint32_t type;
			if (attr.len < sizeof(uint32_t) + 2 || attr.len > sizeof(uint32_t) + PATH_MAX)
				bail("nsexec: namespace path attribute has bad length %u", attr.len);
			if (data[attr.len - 1] != '\0' || strlen(data + sizeof(uint32_t)) != attr.len - sizeof(uint32_t) - 1)
				bail("nsexec: namespace path is not a single NUL-terminated string");
			memcpy(&type, data, sizeof(type));
			if (!nsname(type))
				bail("nsexec: unknown namespace type 0x%x", type);
			if (bs->nspaths >= NS_MAX_PATHS)
				bail("nsexec: more than %d namespace paths", NS_MAX_PATHS);
			for (int i = 0; i < bs->nspaths; i++)
				if (bs->nstype[i] == type)
					bail("nsexec: %s namespace given twice", nsname(type));
			bs->nstype[bs->nspaths] = type;
			bs->nspath[bs->nspaths] = data + sizeof(uint32_t);
			bs->nspaths++;
			break;
		}
		case NS_ATTR_TIMENS_OFFSETS:
			if (attr.len == 0 || attr.len > 256 || data[attr.len - 1] != '\0')
				bail("nsexec: time namespace offsets must be a NUL-terminated string of at most 256 bytes");
			bs->timens_offsets = data;
			break;
		default:
			bail("nsexec: unknown bootstrap attribute %u", attr.type);
		}
		off += NS_ALIGN(attr.len);
		if (off > len)
			off = len;
	}
	for (int i = 0; i < bs->nspaths; i++)
		if (bs->clone_flags & bs->nstype[i])
			bail("nsexec: %s namespace both joined by path and created", nsname(bs->nstype[i]));
}

static void join_namespaces(const struct bootstrap *bs)
{
	int fds[NS_MAX_PATHS];
	/* Open every path first: joining the mount namespace changes what later paths mean. */
	for (int i = 0; i < bs->nspaths; i++) {
		/* O_NONBLOCK: a FIFO (or a device) given as a namespace path must fail in setns, not hang open. */
		fds[i] = open(bs->nspath[i], O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
		if (fds[i] < 0)
			bail("open %s namespace %s", nsname(bs->nstype[i]), bs->nspath[i]);
	}
	/* The user namespace first: it grants the capabilities the other setns calls need. */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < bs->nspaths; i++) {
			int is_user = bs->nstype[i] == CLONE_NEWUSER;
			if (is_user != (pass == 0))
				continue;
			if (setns(fds[i], (int)bs->nstype[i]) < 0)
				bail("setns %s namespace %s", nsname(bs->nstype[i]), bs->nspath[i]);
			close(fds[i]);
		}
	}
}

/*
 * We hold host fds (the init socket, inherited fds) and, once forked into the container's pid
 * namespace, its processes can see us: non-dumpable denies them ptrace and /proc/<pid>/fd (runc
 * does the same). Managed Main keeps it so; execve of the container's program resets it.
 */
static void set_dumpable(int on)
{
	if (prctl(PR_SET_DUMPABLE, on, 0, 0, 0) < 0)
		bail("prctl(PR_SET_DUMPABLE, %d)", on);
}

static void become_root(void)
{
	if (setresgid(0, 0, 0) < 0)
		bail("setresgid(0) in the user namespace (is gid 0 mapped?)");
	if (setresuid(0, 0, 0) < 0)
		bail("setresuid(0) in the user namespace (is uid 0 mapped?)");
	/*
	 * /proc/self files of a non-dumpable process belong to the host's root: we could no longer
	 * write timens_offsets. Dumpable again only until the fork below (set_dumpable(0)).
	 */
	set_dumpable(1);
}

static void write_timens_offsets(const char *offsets)
{
	int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		bail("open /proc/self/timens_offsets");
	size_t len = strlen(offsets);
	if (write(fd, offsets, len) != (ssize_t)len)
		bail("write time namespace offsets \"%s\"", offsets);
	close(fd);
}

__attribute__((constructor)) static void nsexec(void)
{
	const char *env = getenv(NS_ENV_INITPIPE);
	if (!env)
		return;

	char *end;
	errno = 0;
	long fd = strtol(env, &end, 10);
	struct stat st;
	if (errno || *end || end == env || fd < 3 || fd > INT_MAX || fstat((int)fd, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		fprintf(stderr, "runtime init: %s=%s is not an inherited socket\n", NS_ENV_INITPIPE, env);
		_exit(1);
	}
	init_pipe = (int)fd;
	unsetenv(NS_ENV_INITPIPE);
	if (fcntl(init_pipe, F_SETFD, FD_CLOEXEC) < 0)
		bail("fcntl init pipe");
	set_dumpable(0);

	static char buf[NS_MAX_BOOTSTRAP];
	uint32_t len;
	struct bootstrap bs;
	expect_frame(NS_MSG_BOOTSTRAP, buf, &len, sizeof(buf));
	parse_bootstrap(buf, len, &bs);

	int joined_user = 0, joined_pid = 0;
	for (int i = 0; i < bs.nspaths; i++) {
		joined_user |= bs.nstype[i] == CLONE_NEWUSER;
		joined_pid |= bs.nstype[i] == CLONE_NEWPID || bs.nstype[i] == NS_CLONE_NEWTIME;
	}
	join_namespaces(&bs);
	if (joined_user)
		become_root();

	if (bs.clone_flags & CLONE_NEWUSER) {
		if (unshare(CLONE_NEWUSER) < 0)
			bail("unshare user namespace");
		/* Only the parent, still in the outer namespace, may write arbitrary id maps; an
		 * unprivileged parent can only open our uid_map and gid_map while we are dumpable. */
		set_dumpable(1);
		if (send_frame(NS_MSG_USERMAP_REQ, NULL, 0) < 0)
			bail("nsexec: ask parent for id maps");
		char ack[1];
		uint32_t acklen;
		expect_frame(NS_MSG_USERMAP_ACK, ack, &acklen, sizeof(ack));
		become_root();
	}

	uint32_t rest = bs.clone_flags & ~(uint32_t)CLONE_NEWUSER;
	if (rest && unshare((int)rest) < 0)
		bail("unshare namespaces 0x%x", rest);
	if (bs.timens_offsets && (bs.clone_flags & NS_CLONE_NEWTIME))
		write_timens_offsets(bs.timens_offsets);
	set_dumpable(0);

	uint32_t pid;
	/* A new (or joined) pid or time namespace only applies to children: fork once more. */
	if ((bs.clone_flags & (CLONE_NEWPID | NS_CLONE_NEWTIME)) || joined_pid) {
		pid_t child = fork();
		if (child < 0)
			bail("fork into the new pid namespace");
		if (child > 0) {
			pid = (uint32_t)child;
			if (send_frame(NS_MSG_CHILD_PID, &pid, sizeof(pid)) < 0)
				bail("nsexec: report child pid");
			_exit(0);
		}
	} else {
		pid = (uint32_t)getpid();
		if (send_frame(NS_MSG_CHILD_PID, &pid, sizeof(pid)) < 0)
			bail("nsexec: report pid");
	}
	/* Returning lets the .NET runtime start; managed init takes over the socket. */
}
