/**
 * The highest presence `fence` seen per (room, user). Two nodes can publish one user's presence out of
 * order (a quick leave and rejoin), and without this the older event, arriving last, would win.
 *
 * @example
 * const fences = new PresenceFences();
 * fences.accept('lobby', 'alice', 7); // true
 * fences.accept('lobby', 'alice', 6); // false: stale
 */
export class PresenceFences {
  private readonly rooms = new Map<string, Map<string, number>>();

  /**
   * Records the event's fence; false when it is lower than one already seen (a stale event). An equal
   * fence is accepted: the server gives a join and the leave that follows it the same fence.
   */
  accept(room: string, userId: string, fence: number): boolean {
    let users = this.rooms.get(room);
    if (!users) this.rooms.set(room, (users = new Map()));
    const seen = users.get(userId);
    if (seen !== undefined && fence < seen) return false;
    users.set(userId, fence);
    return true;
  }

  /** Forgets a room (no longer followed), so its memory does not outlive the subscription. */
  forget(room: string): void {
    this.rooms.delete(room);
  }
}
