/**
 * The retained messages of one in-memory stream: appended at the back, dropped from the front.
 *
 * Dropping from the front of a plain array shifts every element, which made each append of a full
 * stream (at `maxLength`) cost O(maxLength). Here dropped entries are skipped by an index and the array
 * is compacted only once they make up half of it, so appends and trims are O(1) amortised.
 */
export class MessageWindow<T> {
  private items: T[] = [];
  private start = 0;

  get length(): number {
    return this.items.length - this.start;
  }

  first(): T | undefined {
    return this.items[this.start];
  }

  push(item: T): void {
    this.items.push(item);
  }

  dropFirst(count: number): void {
    this.start = Math.min(this.items.length, this.start + Math.max(0, count));
    if (this.start > 64 && this.start * 2 >= this.items.length) {
      this.items = this.items.slice(this.start);
      this.start = 0;
    }
  }

  /** Entries `from` (inclusive) to `to` (exclusive), counted from the first retained one. */
  slice(from: number, to: number): T[] {
    return this.items.slice(this.start + from, this.start + to);
  }

  /** Index (from the first retained entry) of the first entry matching, or -1. */
  findIndex(predicate: (item: T) => boolean): number {
    for (let index = this.start; index < this.items.length; index += 1) {
      if (predicate(this.items[index])) return index - this.start;
    }
    return -1;
  }
}
