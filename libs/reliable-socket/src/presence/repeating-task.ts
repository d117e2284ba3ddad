/**
 * Runs `task` again and again, `delayMs()` after the previous run settled: never two runs at once, so a
 * slow store cannot pile calls up. The timer is unref'd (it never keeps the process alive) and a failing
 * run is reported to `onError` without stopping the repetition.
 */
export class RepeatingTask {
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly task: () => Promise<unknown>,
    private readonly delayMs: () => number,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): this {
    if (!this.timer && !this.stopped) this.schedule();
    return this;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      void this.task()
        .catch(this.onError)
        .finally(() => {
          if (!this.stopped) this.schedule();
        });
    }, this.delayMs()).unref();
  }
}
