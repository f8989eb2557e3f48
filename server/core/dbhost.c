/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dbhost.c: the pool's host list (see dbhost.h). libpq's own parser reads
 * the conninfo (key=value or URI), so quoting and URI rules are libpq's;
 * this file only splits the comma lists of host, hostaddr and port the
 * way libpq does (one port for all hosts, or one per host) and joins them
 * again with each name replaced by its addresses.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "dbhost.h"

bool dbhost_is_numeric(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* Split a comma list into *n owned strings ("" gives one empty entry). */
static char **split_list(const char *s, int *n)
{
	int count = 1;
	char **out;

	for (const char *p = s; *p; p++)
		count += *p == ',';
	out = xcalloc((size_t)count, sizeof(*out));
	for (int i = 0; i < count; i++) {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);

		out[i] = xmalloc(len + 1);
		memcpy(out[i], s, len);
		out[i][len] = '\0';
		s = end ? end + 1 : s + len;
	}
	*n = count;
	return out;
}

static void free_list(char **l, int n)
{
	if (l == NULL)
		return;
	for (int i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

void dbhost_free(DbHosts *h)
{
	if (h == NULL)
		return;
	free_list(h->keys, h->nopts);
	free_list(h->vals, h->nopts);
	free_list(h->hosts, h->nhosts);
	free_list(h->ports, h->nhosts);
	free_list(h->hostaddrs, h->nhosts);
	free(h->is_name);
	free(h);
}

/*
 * Expand a list of n entries (or one, meaning "the same for all") to
 * nhosts entries; NULL if the counts disagree. Takes l.
 */
static char **widen_list(char **l, int n, int nhosts)
{
	char **out;

	if (n == nhosts)
		return l;
	if (n != 1) {
		free_list(l, n);
		return NULL;
	}
	out = xcalloc((size_t)nhosts, sizeof(*out));
	for (int i = 0; i < nhosts; i++)
		out[i] = xstrdup(l[0]);
	free_list(l, n);
	return out;
}

/* Fill h's host, port and hostaddr lists from the three values (NULL = unset). */
static bool hosts_fill(DbHosts *h, const char *host, const char *port, const char *hostaddr,
		       char *err, size_t errlen)
{
	int nh = 0, np = 0, na = 0;
	char **hosts = NULL, **ports, **addrs = NULL;

	if (host && *host)
		hosts = split_list(host, &nh);
	if (hostaddr && *hostaddr)
		addrs = split_list(hostaddr, &na);
	if (hosts == NULL && addrs == NULL)
		return true;	/* libpq's default socket: nothing to resolve */
	if (hosts == NULL) {
		nh = na;
		hosts = xcalloc((size_t)nh, sizeof(*hosts));
		for (int i = 0; i < nh; i++)
			hosts[i] = xstrdup("");
	}
	h->nhosts = nh;
	h->hosts = hosts;
	ports = split_list(port ? port : "", &np);
	h->ports = widen_list(ports, np, nh);
	if (addrs == NULL)
		addrs = split_list("", &na);
	h->hostaddrs = widen_list(addrs, na, nh);
	if (h->ports == NULL || h->hostaddrs == NULL) {
		snprintf(err, errlen, "the conninfo gives %d hosts but %d ports or %d hostaddrs",
			 nh, np, na);
		return false;
	}
	h->is_name = xcalloc((size_t)nh, sizeof(*h->is_name));
	for (int i = 0; i < nh; i++) {
		const char *e = h->hosts[i];

		h->is_name[i] = *e != '\0' && *e != '/' && *e != '@' && *h->hostaddrs[i] == '\0' &&
				!dbhost_is_numeric(e);
		h->any_name |= h->is_name[i];
	}
	if (h->any_name && nh > DBHOST_MAX_HOSTS) {
		snprintf(err, errlen, "a host list with names has at most %d entries, not %d",
			 DBHOST_MAX_HOSTS, nh);
		return false;
	}
	return true;
}

DbHosts *dbhost_parse(const char *conninfo, const char *env_host, const char *env_port,
		      const char *env_hostaddr, char *err, size_t errlen)
{
	char *perr = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);
	const char *host = env_host, *port = env_port, *hostaddr = env_hostaddr;
	DbHosts *h;
	int n = 0;

	if (opts == NULL) {
		snprintf(err, errlen, "%s", perr ? perr : "out of memory");
		PQfreemem(perr);
		return NULL;
	}
	h = xcalloc(1, sizeof(*h));
	for (PQconninfoOption *o = opts; o->keyword; o++)
		n++;
	h->keys = xcalloc((size_t)n, sizeof(*h->keys));
	h->vals = xcalloc((size_t)n, sizeof(*h->vals));
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (o->val == NULL)
			continue;
		if (strcmp(o->keyword, "host") == 0)
			host = o->val;
		else if (strcmp(o->keyword, "port") == 0)
			port = o->val;
		else if (strcmp(o->keyword, "hostaddr") == 0)
			hostaddr = o->val;
		else {
			h->keys[h->nopts] = xstrdup(o->keyword);
			h->vals[h->nopts] = xstrdup(o->val);
			h->nopts++;
		}
	}
	if (!hosts_fill(h, host, port, hostaddr, err, errlen)) {
		dbhost_free(h);
		h = NULL;
	} else if (h->nhosts == 0 && port) {
		/* no host list to carry it: the port stays an ordinary option */
		h->keys[h->nopts] = xstrdup("port");
		h->vals[h->nopts] = xstrdup(port);
		h->nopts++;
	}
	PQconninfoFree(opts);
	return h;
}

/* Append s (and a comma before it unless first) to the growing list *l of *len. */
static void list_add(char **l, size_t *len, const char *s, bool first)
{
	size_t n = strlen(s);

	*l = xrealloc(*l, *len + n + 2);
	if (!first)
		(*l)[(*len)++] = ',';
	memcpy(*l + *len, s, n + 1);
	*len += n;
}

void dbhost_params_free(DbParams *p)
{
	free(p->keys);
	free(p->vals);
	free(p->host);
	free(p->hostaddr);
	free(p->port);
	memset(p, 0, sizeof(*p));
}

bool dbhost_params(const DbHosts *h, const DbAddrs *addrs, DbParams *out)
{
	size_t hl = 0, al = 0, pl = 0;
	int entries = 0, k = 0;
	bool any_addr = false, any_port = false;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < h->nhosts; i++) {
		int n = h->is_name[i] ? addrs[i].n : 1;

		for (int j = 0; j < n && j < DBHOST_MAX_ADDRS; j++, entries++) {
			const char *a = h->is_name[i] ? addrs[i].addr[j] : h->hostaddrs[i];

			list_add(&out->host, &hl, h->hosts[i], entries == 0);
			list_add(&out->hostaddr, &al, a, entries == 0);
			list_add(&out->port, &pl, h->ports[i], entries == 0);
			any_addr |= *a != '\0';
			any_port |= *h->ports[i] != '\0';
		}
	}
	if (entries == 0 && h->nhosts > 0) {
		dbhost_params_free(out);
		return false;
	}
	out->keys = xcalloc((size_t)h->nopts + 4, sizeof(*out->keys));
	out->vals = xcalloc((size_t)h->nopts + 4, sizeof(*out->vals));
	for (int i = 0; i < h->nopts; i++, k++) {
		out->keys[k] = h->keys[i];
		out->vals[k] = h->vals[i];
	}
	if (entries > 0) {
		out->keys[k] = "host";
		out->vals[k++] = out->host;
	}
	if (any_addr) {
		out->keys[k] = "hostaddr";
		out->vals[k++] = out->hostaddr;
	}
	if (any_port) {
		out->keys[k] = "port";
		out->vals[k++] = out->port;
	}
	return true;
}
