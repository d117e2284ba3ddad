/**
 * Runs tasks one after another, in the order they were pushed. A failing task is reported and the
 * queue moves on: one bad message must not wedge its stream forever.
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly onError: (cause: unknown) => void) {}

  /** Queues `task`; the returned promise settles (never rejects) once it has run. */
  run(task: () => void | Promise<void>): Promise<void> {
    const done = this.tail.then(task).catch((cause: unknown) => {
      this.onError(cause);
    });
    this.tail = done;
    return done;
  }
}
