import { sleep } from '../../test/support/wait.js';
import type { ChatParticipant } from './chat.participant.js';
import { chaosText, type DeliveryLedger } from './delivery.ledger.js';
import type { SeededRandom } from './seeded.random.js';

const TICK_MS = 20;
/** After the event loop stalled, at most this much of the backlog is sent at once. */
const MAX_BURST_MS = 250;

/**
 * The chat traffic: at `ratePerSecond` (all clients together), a random client sends either a one-to-one
 * message (`send`) to another random user or a room message (`room:send`) to one of its rooms. Who sends
 * what is drawn from the seeded random, so a seed replays the same conversation (the timing may differ).
 */
export class TrafficGenerator {
  private sent = 0;

  constructor(
    private readonly participants: readonly ChatParticipant[],
    private readonly roomMembers: ReadonlyMap<string, readonly string[]>,
    private readonly ledger: DeliveryLedger,
    private readonly random: SeededRandom,
    private readonly ratePerSecond: number,
  ) {}

  get count(): number {
    return this.sent;
  }

  /** Sends for `durationMs` and resolves when the time is up (sends are not awaited: the ledger follows them). */
  async run(durationMs: number): Promise<void> {
    const started = Date.now();
    // Bounded: ends when the duration is over.
    for (let elapsed = 0; elapsed < durationMs; elapsed = Date.now() - started) {
      const due = Math.floor((elapsed * this.ratePerSecond) / 1000);
      const floor = due - Math.ceil((MAX_BURST_MS * this.ratePerSecond) / 1000);
      if (this.sent < floor) this.sent = floor; // the stalled part of the schedule is skipped, not crammed
      while (this.sent < due) this.sendOne();
      await sleep(TICK_MS);
    }
  }

  private sendOne(): void {
    const index = this.sent;
    this.sent += 1;
    const count = this.participants.length;
    const senderAt = this.random.int(0, count - 1);
    const direct = this.random.chance(0.5);
    const other = this.random.int(1, count - 1);
    const roomPick = this.random.next();
    // A client that is being reloaded has no page to send from: the next one sends instead.
    const shift = Array.from({ length: count }, (_, i) => i).find((i) => this.participants[(senderAt + i) % count].ready);
    if (shift === undefined) return;
    const sender = this.participants[(senderAt + shift) % count];
    const id = `m${index}`;
    const sentAt = Date.now();
    const target = direct ? this.participants[(senderAt + shift + other) % count].user : sender.rooms[Math.floor(roomPick * sender.rooms.length)];
    const recipients = direct ? [target] : (this.roomMembers.get(target) ?? []);
    this.ledger.recordSend({ id, from: sender.user, kind: direct ? 'direct' : 'room', target, recipients, sentAt });
    sender.send(this.ledger.messages.get(id)!, chaosText(id, sentAt));
  }
}
