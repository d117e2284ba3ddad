import { monitorEventLoopDelay } from 'node:perf_hooks';

/** How late the event loop ran ready work (ms): a process that is blocked, or starved of CPU, shows here. */
export interface LoopDelay {
  p99Ms: number;
  maxMs: number;
}

/** Samples this process's event-loop delay from construction, each {@link read} covering the time since the previous one. */
export class LoopDelayMonitor {
  private readonly histogram = monitorEventLoopDelay({ resolution: 10 });

  constructor() {
    this.histogram.enable();
  }

  read(): LoopDelay {
    // The histogram is in nanoseconds; an empty one reports a huge minimum and a max of 0.
    const delay = { p99Ms: this.histogram.percentile(99) / 1e6, maxMs: this.histogram.max / 1e6 };
    this.histogram.reset();
    return delay;
  }

  stop(): void {
    this.histogram.disable();
  }
}
