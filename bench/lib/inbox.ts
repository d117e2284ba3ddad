import { now, withDeadline } from './timing.js';

const MAX_PROBLEMS_KEPT = 5;

/**
 * What a client's handler received in one run, checked as it arrives: each payload `seq` in
 * `0 … expected-1` exactly once, and in order — by stream offset (`1, 2, 3 …`, reliable) or by `seq`
 * (plain Socket.IO, whose one connection keeps emit order). A benchmark that loses messages is worthless,
 * so {@link verify} throws on any deviation.
 */
export class Inbox {
  received = 0;
  private readonly seen: Uint8Array;
  private readonly problems: string[] = [];
  private problemCount = 0;
  private settle!: { resolve: (at: number) => void; reject: (error: Error) => void };
  private readonly completed: Promise<number>;

  constructor(
    readonly expected: number,
    private readonly orderBy: 'offset' | 'seq',
  ) {
    this.seen = new Uint8Array(expected);
    this.completed = new Promise<number>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.completed.catch(() => undefined); // observed through waitComplete()
  }

  /** Call from the message handler. `offset` is the stream offset (reliable clients only). */
  record(seq: number, offset?: number): void {
    const position = this.orderBy === 'offset' ? offset : seq;
    const expectedPosition = this.orderBy === 'offset' ? this.received + 1 : this.received;
    if (position !== expectedPosition) this.problem(`message #${this.received + 1}: expected ${this.orderBy} ${expectedPosition}, got ${position}`);
    if (!Number.isInteger(seq) || seq < 0 || seq >= this.expected) this.problem(`unexpected seq ${seq}`);
    else if (this.seen[seq]) this.problem(`duplicate seq ${seq}`);
    else this.seen[seq] = 1;
    this.received += 1;
    if (this.received === this.expected) this.settle.resolve(now());
  }

  /** Makes {@link waitComplete} fail at once (the sender failed, so the messages will never come). */
  fail(error: Error): void {
    this.settle.reject(error);
  }

  /** Resolves to the `now()` at which the last expected message was handled. */
  waitComplete(timeoutMs: number, what: string): Promise<number> {
    return withDeadline(this.completed, timeoutMs, `${what}: ${this.received} of ${this.expected} messages received`);
  }

  /** Throws unless exactly `expected` messages arrived, each once, in order. */
  verify(what: string): void {
    if (this.problemCount === 0 && this.received === this.expected) return;
    const extra = this.problemCount > this.problems.length ? ` (+${this.problemCount - this.problems.length} more)` : '';
    throw new Error(`${what}: received ${this.received} of ${this.expected}; ${this.problems.join('; ')}${extra}`);
  }

  private problem(message: string): void {
    this.problemCount += 1;
    if (this.problems.length < MAX_PROBLEMS_KEPT) this.problems.push(message);
  }
}
