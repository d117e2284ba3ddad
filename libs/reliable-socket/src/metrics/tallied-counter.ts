import type { Counter, LabelValues, Registry } from 'prom-client';

type PromClient = typeof import('prom-client');

/** A pending count for one label set; the hot path only adds to `count`. */
export interface Tally {
  count: number;
}

/**
 * A prom-client counter fed by plain additions: callers keep a {@link Tally} per label set and add to it
 * (no allocation, no label hashing per event); the pending counts reach the counter when it is collected,
 * i.e. when the registry is scraped.
 */
export class TalliedCounter<L extends string> {
  private readonly tallies: Array<{ labels: LabelValues<L>; tally: Tally }> = [];
  private readonly counter: Counter<L>;

  constructor(client: PromClient, config: { name: string; help: string; labelNames: readonly L[]; registry: Registry }) {
    const tallies = this.tallies;
    this.counter = new client.Counter<L>({
      name: config.name,
      help: config.help,
      labelNames: config.labelNames,
      registers: [config.registry],
      collect(this: Counter<L>) {
        for (const { labels, tally } of tallies) {
          if (tally.count === 0) continue;
          this.inc(labels, tally.count);
          tally.count = 0;
        }
      },
    });
  }

  /** A new tally for one label set. Call it once per label set and keep the result. */
  tally(labels: LabelValues<L>): Tally {
    // The series is exported from now on, at 0, so rate() and increase() see its first increments.
    this.counter.inc(labels, 0);
    const tally = { count: 0 };
    this.tallies.push({ labels, tally });
    return tally;
  }
}
