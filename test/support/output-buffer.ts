const DEFAULT_LIMIT = 1024 * 1024;

/**
 * Captured output of a process (stdout and stderr interleaved, in arrival order), kept across restarts
 * for diagnostics. Only the last `limit` characters are kept; positions are absolute (they count
 * everything ever appended), so a position taken before a restart stays valid.
 */
export class OutputBuffer {
  private text = '';
  private dropped = 0;

  constructor(private readonly limit = DEFAULT_LIMIT) {}

  /** Total number of characters ever appended: the position of the next character. */
  get position(): number {
    return this.dropped + this.text.length;
  }

  append(chunk: string): void {
    this.text += chunk;
    if (this.text.length > this.limit) {
      const excess = this.text.length - this.limit;
      this.text = this.text.slice(excess);
      this.dropped += excess;
    }
  }

  /** Everything kept since absolute position `from` (default: everything kept). */
  since(from = 0): string {
    return this.text.slice(Math.max(0, from - this.dropped));
  }

  /** Everything kept, prefixed with a note when older output was dropped. */
  toString(): string {
    return this.dropped > 0 ? `[... ${this.dropped} earlier characters dropped ...]\n${this.text}` : this.text;
  }
}

/** Indents and trims captured output for inclusion in an error message. */
export function formatOutputForError(output: string, maxChars = 8000): string {
  const tail = output.length > maxChars ? `[...]${output.slice(-maxChars)}` : output;
  const body = tail.trimEnd();
  return body ? body.replace(/^/gm, '  | ') : '  | (no output)';
}
