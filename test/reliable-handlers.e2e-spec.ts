/**
 * Issue 3: `@Reliable()` handlers (exactly once over two nodes, ordered mode, error paths, idempotent
 * emits) on the shared Redis. `redis-cluster-core.e2e-spec.ts` runs the same suite on a Redis Cluster.
 */
import { describeReliableHandlers } from './suites/reliable-handlers.suite.js';
import { sharedRedis } from './support/redis-target.js';

describeReliableHandlers(sharedRedis);
