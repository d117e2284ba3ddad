/**
 * Issue 4: one session per user per namespace over three nodes, token expiry and refresh, guards, on the
 * shared Redis. `redis-cluster-core.e2e-spec.ts` runs the same suite on a Redis Cluster.
 */
import { describeSessions } from './suites/sessions.suite.js';
import { sharedRedis } from './support/redis-target.js';

describeSessions(sharedRedis);
