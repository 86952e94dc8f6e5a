/*
 * The netconf layer, the lowest of nchome-netconf (README.md, "Layers"):
 * what every other folder may use, and all it offers.
 *
 *   framing.c    RFC 6242 framing on stdin (the bounded reader)
 *   frameout.c   RFC 6242 framing on stdout (the chunked writer; running's
 *                shared form sent with sendfile(2))
 *   mainloop.c   the poll() loop and its timers
 *   message.c    parsing untrusted XML, element helpers (nc_is, nc_child,
 *                trimmed child text, rpc_param), the text cleaner for replies
 *   rpc_error.c  building <rpc-error>s and the data of a reply
 *   tables.c     the tables the layers above register into at start
 *                (subsystem/server.c): operations, capabilities, state sources
 *
 * struct session and struct rpc are defined here because every layer
 * passes them; the store and the datastore-dir handle they point to are
 * opaque at this level.
 */
#ifndef NCHOME_NETCONF_H
#define NCHOME_NETCONF_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "conf.h"

/* ---- framing.c ---- */

/*
 * RFC 6242 message framing on the session's stdin/stdout: end-of-message
 * "]]>]]>" framing until both hellos carry base:1.1, chunked framing
 * after.  The reader is a pull parser over a bounded input buffer: bytes
 * read from the fd (or pushed by a test) are turned into whole messages
 * one at a time, so a switch of framing after the hello applies to the
 * very next byte.  No message may exceed max-message-size: a chunk header
 * announcing more is refused before anything is allocated for it, and an
 * end-of-message body stops growing at the bound.
 *
 * The writer frames what it is given: data accumulates in one large
 * buffer, each flush becomes one chunk (chunked) or raw bytes (EOM), and
 * framer_end() closes the message.
 */


struct framer;

/* Results of framer_next(). */
enum fr_result {
	FR_MSG,		/* a whole message: *msg, *len valid until the next call */
	FR_MORE,	/* all input consumed, need more bytes */
	FR_BAD,		/* framing error (bad chunk header, garbage): end session */
	FR_TOO_BIG	/* message larger than max-message-size: end session */
};

#define FR_MAX_CHUNK	4294967295ULL	/* RFC 6242 4.2 */
#define FR_OUTBUF	(256 * 1024)	/* one chunk per flush of this much */
#define FR_READ_SIZE	(64 * 1024)

/* A framer reading infd and writing outfd (either may be -1 in tests). */
struct framer *framer_new(int infd, int outfd, uint64_t max_message_size);
void framer_free(struct framer *fr);
/*
 * Bounds how long a write may wait for the peer to read (ms; 0: no
 * bound): outfd becomes non-blocking, and a write that sends nothing for
 * ms fails with ETIMEDOUT, which ends the session.  0 or -1.
 */
int framer_set_write_timeout(struct framer *fr, long ms);

/* Switches both directions to chunked framing (after the hellos). */
void framer_set_chunked(struct framer *fr);
int framer_is_chunked(const struct framer *fr);

/*
 * Reads once from infd (call when poll() says it is readable).  Returns
 * the number of bytes read, 0 at end of file, -1 on error.
 */
long framer_fill(struct framer *fr);

/* Appends bytes to the input as if read from the fd (tests). 0 or -1. */
int framer_push(struct framer *fr, const void *data, size_t len);

/* Parses buffered input: see enum fr_result. */
enum fr_result framer_next(struct framer *fr, char **msg, size_t *len);

/*
 * The message framer_next returned is no longer needed (parsed): its
 * buffer is given back now rather than at the next framer_next.
 */
void framer_msg_done(struct framer *fr);
/*
 * The writable bytes of the message framer_next returned, when msg and
 * len are that message (or a part of it); NULL for any other bytes.
 * Lets the reader spend the framer's buffer (nc_parse_spending) and
 * nothing else.
 */
char *framer_msg_spendable(struct framer *fr, const char *msg, size_t len);

/* 1 when a partly received message (not just whitespace) is pending. */
int framer_partial(const struct framer *fr);

/* A short description of the last FR_BAD/FR_TOO_BIG, for the log. */
const char *framer_error(const struct framer *fr);

/* Output: buffered; each buffer flush is one chunk.  0 or -1 (peer gone). */
int framer_write(struct framer *fr, const void *data, size_t len);
int framer_end(struct framer *fr);	/* ends the message and flushes */
int framer_send(struct framer *fr, const void *data, size_t len);	/* write + end */
/*
 * After what is buffered, len bytes of the file open on fd from off,
 * as chunks of their own (sendfile where the system has it; else read
 * through the output buffer).  -1 when the peer is gone or the file
 * holds fewer bytes: the message is then cut, and must not be ended.
 */
int framer_write_file(struct framer *fr, int fd, off_t off, size_t len);

/* ---- mainloop.c ---- */

/*
 * The session's event loop: poll() over a few fds with callbacks, plus
 * one-shot timers on the monotonic clock.  Small on purpose; stdin, the
 * signal pipe and (later) a notification fd are all just entries here.
 */

typedef void (*ml_fd_cb)(int fd, void *arg);
typedef void (*ml_timer_cb)(void *arg);

/* Watches fd for input (or hang-up); 0, or -1 when the table is full. */
int ml_add_fd(int fd, ml_fd_cb cb, void *arg);
void ml_remove_fd(int fd);

/* Calls cb once after ms milliseconds; returns a timer id (> 0) or -1. */
int ml_add_timer(long ms, ml_timer_cb cb, void *arg);
void ml_cancel_timer(int id);

/*
 * cb runs each time ml_run() is about to block in poll(), after every fd
 * and timer callback: a timer it adds counts for that poll.  NULL: none.
 */
void ml_before_poll(ml_timer_cb cb, void *arg);

/* Makes ml_run() return code after the current callback. */
void ml_stop(int code);
int ml_stopped(void);

/* Runs until ml_stop(). */
int ml_run(void);

/* ---- the session ---- */

/*
 * One NETCONF session: what nchome-netconf knows about the client it
 * serves.  One process per session (sshd starts us as a subsystem), so
 * there is exactly one struct session in a process; what must be shared
 * with other sessions (ids, locks, the datastores) lives in files under
 * datastore-dir.
 */
struct framer;
struct store;
struct dsdir;
struct schema;

struct session {
	uint32_t		 id;		/* unique among live sessions on the host */
	const struct nchome_conf *conf;
	const struct conf_netconf *nc;	/* &conf->netconf */
	struct framer		*fr;		/* stdin/stdout framing */
	int			 base11;	/* both hellos carried base:1.1 */
	char			*user;		/* login name */
	char			*peer;		/* source address from SSH_CLIENT, or "" */
	time_t			 login_time;
	uint64_t		 in_rpcs, in_bad_rpcs, out_rpc_errors, out_notifications;
	struct dsdir		*dd;		/* datastore-dir (host/dsdir.c) */
	struct store		*store;		/* the datastores (store/), NULL until set up */
	struct schema		*schema;	/* the YANG module set (schema/), loaded
						   at start; NULL in tests without one */
	int			 closing;	/* close-session answered: end after the reply */
	struct ops_nacm		*nacm;		/* access control (ops/nacm.c), NULL until the first RPC */
	struct nacm_session	*nacm_view;	/* its view as of the last refresh (access/nacm.h),
						   for notifications (observe/); NULL: none */
	int			(*nacm_refresh)(struct session *);
						/* brings nacm_view up to running's rules
						   (ops/nacm.c); 0, or -1: none is known.
						   NULL until the first RPC */
};

/* The NETCONF base namespace. */
#define NC_NS_BASE	"urn:ietf:params:xml:ns:netconf:base:1.0"

/* ---- rpc_error.c: the reply ---- */

/*
 * One parsed <rpc> and the reply being built for it.  An operation handler looks at r->op, then either
 * adds errors (rpc_error), or sets data (rpc_reply_data), or does neither
 * (the reply is <ok/>).  The layer writes exactly one <rpc-reply> with the
 * attributes of the <rpc> echoed.
 *
 * Reply data is streamed: rpc_reply_data() takes the element whose
 * children become the children of <data>; they are serialized straight to
 * the framer, so a 10 MB get-config is never copied into a reply tree.
 */

/* RFC 6241 Appendix A. */
enum nc_err_type { ERR_TRANSPORT, ERR_RPC, ERR_PROTOCOL, ERR_APPLICATION };

/* error-tag strings of RFC 6241 Appendix A, e.g. "in-use", "lock-denied". */
#define TAG_IN_USE			"in-use"
#define TAG_INVALID_VALUE		"invalid-value"
#define TAG_TOO_BIG			"too-big"
#define TAG_MISSING_ATTRIBUTE		"missing-attribute"
#define TAG_BAD_ATTRIBUTE		"bad-attribute"
#define TAG_UNKNOWN_ATTRIBUTE		"unknown-attribute"
#define TAG_MISSING_ELEMENT		"missing-element"
#define TAG_BAD_ELEMENT			"bad-element"
#define TAG_UNKNOWN_ELEMENT		"unknown-element"
#define TAG_UNKNOWN_NAMESPACE		"unknown-namespace"
#define TAG_ACCESS_DENIED		"access-denied"
#define TAG_LOCK_DENIED			"lock-denied"
#define TAG_RESOURCE_DENIED		"resource-denied"
#define TAG_ROLLBACK_FAILED		"rollback-failed"
#define TAG_DATA_EXISTS			"data-exists"
#define TAG_DATA_MISSING		"data-missing"
#define TAG_OPERATION_NOT_SUPPORTED	"operation-not-supported"
#define TAG_OPERATION_FAILED		"operation-failed"
#define TAG_MALFORMED_MESSAGE		"malformed-message"

/* Bytes of a file a reply sends (rpc_reply_file_ranges). */
struct rpc_range {
	off_t		 off;
	size_t		 len;
};

struct rpc {
	struct session	*s;
	xmlDocPtr	 doc;		/* the request document */
	xmlNodePtr	 rpc;		/* <rpc> */
	xmlNodePtr	 op;		/* the operation element, first child of <rpc> */

	/* reply state, filled by handlers through the functions below */
	xmlDocPtr	 err_doc;	/* holds the <rpc-error> elements */
	int		 nerrors;
	xmlNodePtr	 data;		/* children go inside <data> */
	xmlDocPtr	 data_owned;	/* freed after the reply, may be NULL */
	const char	*data_ns;	/* namespace of <data>; NULL: base (get-schema: monitoring) */
	int		 data_fd;	/* > 0: <data>'s content already serialized,
					   data_len bytes at data_off of this file
					   (not owned; open until the reply is written) */
	off_t		 data_off;
	size_t		 data_len;
	int		 data_empty;	/* <data/> */
	struct rpc_range *data_ranges;	/* data_nranges > 0: these of the file instead */
	size_t		 data_nranges;
	xmlNodePtr	*data_nodes;	/* not NULL: <data>'s children are these, of any
					   documents, in order (data is NULL); freed after */
	size_t		 data_nnodes;
	/* nodes of data's subtree the reply leaves out (NACM read); NULL: none */
	int		(*data_hidden)(const void *arg, const xmlNode *n);
	void		*data_hidden_arg;
	void		(*data_hidden_free)(void *arg);	/* of data_hidden_arg, after the reply */
	int		 warnings_only;	/* all errors were severity warning */
	int		 errors_unscoped; /* an error without error-path may
					   describe datastore content (RELAX
					   NG's messages): NACM withholds it */
};

/*
 * Adds an <rpc-error> with error-severity "error".  path (may be NULL)
 * becomes <error-path>; fmt (may be NULL) becomes <error-message>.
 * Returns the <rpc-error> element so callers can add error-info
 * (rpc_error_info) or NULL on allocation failure.
 */
xmlNodePtr rpc_error(struct rpc *r, enum nc_err_type type, const char *tag,
    const char *path, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Adds <error-info><name>value</name></error-info> (NETCONF namespace). */
void rpc_error_info(xmlNodePtr err, const char *name, const char *value);

/*
 * The reply's <data> holds len bytes of XML as they are (each child as
 * xo_data_child writes it), at off of the file open on fd; empty:
 * <data/>.  The file must stay open and unchanged until the reply is
 * written.
 */
void rpc_reply_file(struct rpc *r, int fd, off_t off, size_t len, int empty);

/*
 * rpc_reply_file, the content being the n ranges of the file (taken:
 * freed after the reply) one after the other; none: <data/>.
 */
void rpc_reply_file_ranges(struct rpc *r, int fd, struct rpc_range *ranges, size_t n);

/*
 * The children of container become the reply's <data>.  If owned is not
 * NULL it is freed once the reply is written (container may live in it).
 */
void rpc_reply_data(struct rpc *r, xmlNodePtr container, xmlDocPtr owned);

/*
 * rpc_reply_data, but the reply leaves out each element of container's
 * subtree that hidden(arg, node) says is hidden, with its subtree.
 * arg is r's: freed with arg_free after the reply (or on an error).
 */
void rpc_reply_data_hiding(struct rpc *r, xmlNodePtr container,
    int (*hidden)(const void *arg, const xmlNode *n), void *arg, void (*arg_free)(void *arg));

/*
 * rpc_reply_data_hiding, <data>'s children being the n nodes (taken:
 * the array is freed after the reply), which may lie in several
 * documents: owned (may be NULL) and ones that outlive the reply.
 */
void rpc_reply_nodes(struct rpc *r, xmlNodePtr *nodes, size_t n, xmlDocPtr owned,
    int (*hidden)(const void *arg, const xmlNode *n), void *arg, void (*arg_free)(void *arg));

/* Frees what rpc_reply_data_hiding left with r (once the reply is written). */
void rpc_reply_hiding_free(struct rpc *r);

/* ---- message.c ---- */

#define NC_CAP_BASE10	"urn:ietf:params:netconf:base:1.0"
#define NC_CAP_BASE11	"urn:ietf:params:netconf:base:1.1"

/*
 * Parses untrusted XML: UTF-8 only, no network, no entity expansion, no
 * DTD loading, and any DOCTYPE is refused before its internal subset is
 * read.  setup (may be NULL) is called with the parser context before the
 * parse (the session packs edit-config content this way, tree/packed.c).
 * Returns the document or NULL with a reason in why.
 */
xmlDocPtr nc_parse_with(const char *buf, size_t len,
    void (*setup)(xmlParserCtxtPtr), char *why, size_t whylen);
xmlDocPtr nc_parse(const char *buf, size_t len, char *why, size_t whylen);
/*
 * nc_parse_with for a buffer the caller drops after the parse: whole
 * pages of buf that the parser has read are given back to the system as
 * it goes (on Linux they read as zeros afterwards).  A 10 MB request's
 * tree then grows into the pages its text leaves, instead of beside them.
 */
xmlDocPtr nc_parse_spending(char *buf, size_t len,
    void (*setup)(xmlParserCtxtPtr), char *why, size_t whylen);

/* 1 if node is an element called name in the NETCONF base namespace. */
int nc_is(const xmlNode *node, const char *name);

/* First child element of parent named name in the base namespace, or NULL. */
xmlNodePtr nc_child(const xmlNode *parent, const char *name);

/* The text of element n, white space trimmed at both ends; malloc()ed. */
char *nc_text(const xmlNode *n);

/*
 * The first child element of parent named name in namespace ns (any
 * namespace when ns is NULL): *node is set to it (NULL when none) and its
 * text, white space trimmed at both ends, is returned malloc()ed; NULL when
 * there is no such child.
 */
char *nc_child_text(const xmlNode *parent, const char *ns, const char *name,
    xmlNodePtr *node);

/*
 * Text of the operation's base-namespace child name, white space trimmed
 * at both ends, copied into buf (truncated to len); NULL when absent.
 */
const char *rpc_param(struct rpc *r, const char *name, char *buf, size_t len);

/*
 * Makes text fit for an XML reply, in place: every byte that is not part
 * of a well-formed UTF-8 sequence of an XML 1.0 character becomes '?'.
 */
void nc_text_clean(char *text);

/* ---- tables.c ---- */

/* An operation handler: adds errors, or sets data, or neither (<ok/>). */
typedef void (*op_handler)(struct rpc *r);

/* Adds an operation by element name and namespace; 0 or -1 when full. */
int nc_register_op(const char *ns, const char *name, op_handler fn);

/* The handler of an operation, or NULL; *ns_known: some operation has ns. */
op_handler nc_find_op(const char *ns, const char *name, int *ns_known);

/* Adds a capability URI to the server hello (string kept); 0 or -1 when full. */
int nc_add_capability(const char *uri);

/* The i-th capability of the server hello, or NULL past the last. */
const char *nc_capability(int i);

/*
 * A source of state data for <get>: appends its subtree(s) under into
 * (into->doc owns them).  0, or -1 on failure (logged by the source).
 */
typedef int (*nc_state_fn)(struct session *s, xmlNodePtr into);
int nc_add_state_source(nc_state_fn fn);

/*
 * A source that appends only the top-level element (ns, name): <get>
 * skips it when its filter cannot select that element (see
 * state_collect), so costly state (the YANG library) is built only when
 * asked for.  0 or -1 when full.
 */
int nc_add_state_source_for(nc_state_fn fn, const char *ns, const char *name);

/*
 * Calls every state source in the order they were added (op_get, once per
 * <get>).  want (NULL: all) says whether the request can select the
 * top-level element (ns, name); sources added with
 * nc_add_state_source_for() are skipped when it answers 0.  -1 when one
 * failed (the others still ran); *lost (when not NULL) is then the name
 * of the first such source that failed, or NULL when none did: the
 * request asked for that element and it is missing.
 */
int state_collect(struct session *s, xmlNodePtr into,
    int (*want)(void *arg, const char *ns, const char *name), void *arg,
    const char **lost);

#endif
