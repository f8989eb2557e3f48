/* SPDX-License-Identifier: Apache-2.0 */
/*
 * analytics_env: a kassad and a database of test_analytics's own. The
 * RFM quintiles are drawn over every member who bought in the window, so
 * exact scores need a member base holding only the test's members: a new
 * database in the fixture's PostgreSQL cluster, migrated and seeded
 * (scripts/seed.sh, no members), served by a second kassad on the
 * fixture's certificates with the analytics timer off ([analytics]
 * interval = 0: the job runs when the test asks), the server's
 * business day in Asia/Shanghai and [database] query_timeout_ms 15000
 * (statements the test holds on a lock for a moment must not time out).
 */
#ifndef KASSA_ANALYTICS_ENV_H
#define KASSA_ANALYTICS_ENV_H

#include <stdbool.h>
#include <sys/types.h>

#include "harness.h"

typedef struct AnalyticsEnv {
	Harness h;			/* the fixture's, with this kassad's port and database */
	char db[64];			/* the database's name */
	char dir[64];			/* temporary directory: kassad's log */
	pid_t pid;			/* the second kassad; 0 = none */
	bool up;			/* everything started */
} AnalyticsEnv;

/* Create, migrate and seed the database and start kassad on it; false + CHECK failures. */
bool analytics_env_up(AnalyticsEnv *e, const Harness *fixture);
/* Stop kassad (its exit status must be 0: a CHECK) and drop the database. */
void analytics_env_down(AnalyticsEnv *e, Harness *fixture);

#endif
