/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dbhost: the database hosts of the pool's conninfo, so that db.c can
 * resolve host names off the loop. libpq's PQconnectStart() resolves a
 * host= name with a blocking getaddrinfo(); given hostaddr= as well it
 * resolves nothing and still uses host= for TLS verification and
 * ~/.pgpass. dbhost_parse() reads the conninfo once and says which host
 * entries are names; dbhost_params() builds PQconnectStartParams()
 * arguments in which each name is replaced by the addresses db.c found for
 * it (host repeated, hostaddr set, port kept per entry). Numeric addresses
 * and Unix-socket directories are passed on as they are.
 *
 * Pure: no I/O, no libevent; the environment's PGHOST/PGPORT/PGHOSTADDR
 * are arguments, so the unit test can drive every case.
 */
#ifndef KASSA_DBHOST_H
#define KASSA_DBHOST_H

#include <stdbool.h>
#include <stddef.h>
#include "util.h"

#define DBHOST_MAX_HOSTS 8	/* host list entries when any of them is a name */
#define DBHOST_MAX_ADDRS 4	/* addresses kept per name */
#define DBHOST_ADDR_LEN 48	/* an IPv6 address as text, and its NUL */

/* The conninfo, parsed once. */
typedef struct DbHosts {
	int nopts;		/* options other than host, hostaddr and port */
	char **keys, **vals;	/* owned, nopts each */
	int nhosts;		/* entries of the host list (0: libpq's default socket) */
	char **hosts;		/* owned, nhosts: "db", "10.0.0.5", "/run/postgresql" */
	char **ports;		/* owned, nhosts: the entry's port, "" = default */
	char **hostaddrs;	/* owned, nhosts: a hostaddr the conninfo gave, "" = none */
	bool *is_name;		/* owned, nhosts: this entry needs a lookup */
	bool any_name;		/* some entry needs one: db.c resolves before connecting */
} DbHosts;

/* The addresses found for one host entry (n = 0: none, skip the entry). */
typedef struct DbAddrs {
	int n;
	char addr[DBHOST_MAX_ADDRS][DBHOST_ADDR_LEN];
} DbAddrs;

/* PQconnectStartParams() arguments (NULL-terminated); owns everything. */
typedef struct DbParams {
	const char **keys;	/* owned array; strings borrowed from DbHosts or below */
	const char **vals;	/* owned array; likewise */
	char *host, *hostaddr, *port;	/* owned: the rebuilt lists */
} DbParams;

/*
 * Parse conninfo (key=value or a URI). env_host/env_port/env_hostaddr are
 * PGHOST/PGPORT/PGHOSTADDR (NULL = unset), used only when the conninfo
 * lacks the key, as libpq would. NULL with a reason in err when libpq
 * cannot parse it, lists disagree in length, or a list with names is
 * longer than DBHOST_MAX_HOSTS. Free with dbhost_free().
 */
DbHosts *dbhost_parse(const char *conninfo, const char *env_host, const char *env_port,
		      const char *env_hostaddr, char *err, size_t errlen);
void dbhost_free(DbHosts *h);

/*
 * Build the connect parameters: entry i that is a name becomes addrs[i].n
 * entries (host = the name, hostaddr = each address, its port); other
 * entries stay as they are. addrs has h->nhosts elements. False (and *out
 * empty) when no entry is left, i.e. no name resolved and nothing else
 * was given. Free with dbhost_params_free().
 */
MUSTCHECK bool dbhost_params(const DbHosts *h, const DbAddrs *addrs, DbParams *out);
void dbhost_params_free(DbParams *p);

/* Is s an IPv4 or IPv6 address in text form (no lookup needed)? */
bool dbhost_is_numeric(const char *s);

#endif
