/*
 * Wire format between `runtime` (parent) and the constructor stage of its
 * `init` child. Mirrored in src/Runtime/Process/InitProtocol.cs; bump the ABI
 * version when either side changes.
 *
 * Every message on the init socket is a frame: u32 type, u32 length, payload.
 * The bootstrap payload is a list of attributes: u16 type, u16 reserved,
 * u32 length, data padded to 4 bytes.
 */
#ifndef RUNTIME_NSEXEC_H
#define RUNTIME_NSEXEC_H

#include <stdint.h>

#define NSEXEC_ABI_VERSION 1
#define NS_ENV_INITPIPE "_RUNTIME_INITPIPE"

#define NS_MAX_BOOTSTRAP 65536
#define NS_MAX_PATHS 8
#define NS_ALIGN(len) (((len) + 3u) & ~3u)

#ifndef CLONE_NEWTIME
#define NS_CLONE_NEWTIME 0x00000080
#else
#define NS_CLONE_NEWTIME CLONE_NEWTIME
#endif

#define NS_ALLOWED_FLAGS \
	(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP | NS_CLONE_NEWTIME)

enum ns_msg {
	NS_MSG_BOOTSTRAP = 1,   /* parent -> child: attributes below */
	NS_MSG_USERMAP_REQ = 2, /* child -> parent: user namespace made, write uid/gid maps */
	NS_MSG_USERMAP_ACK = 3, /* parent -> child: maps written */
	NS_MSG_CHILD_PID = 4,   /* child -> parent: u32 host pid of the process that continues */
	NS_MSG_ERROR = 5,       /* child -> parent: utf-8 message, then the child exits */
};

enum ns_attr_type {
	NS_ATTR_CLONE_FLAGS = 1,    /* u32 CLONE_NEW* to create */
	NS_ATTR_NS_PATH = 2,        /* u32 CLONE_NEW* type, then a NUL-terminated path to join */
	NS_ATTR_TIMENS_OFFSETS = 3, /* NUL-terminated /proc/self/timens_offsets text */
};

struct ns_frame {
	uint32_t type;
	uint32_t len;
};

struct ns_attr {
	uint16_t type;
	uint16_t reserved;
	uint32_t len;
};

int nsexec_abi_version(void);
int nsexec_initpipe(void);

#endif
