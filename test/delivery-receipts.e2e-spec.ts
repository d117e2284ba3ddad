/**
 * Issue 2: emit receipts and `delivered()` across two nodes, on the shared Redis.
 * `redis-cluster-core.e2e-spec.ts` runs the same suite on a Redis Cluster.
 */
import { describeDeliveryReceipts } from './suites/delivery-receipts.suite.js';
import { sharedRedis } from './support/redis-target.js';

describeDeliveryReceipts(sharedRedis);
