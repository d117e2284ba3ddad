/** Label value shared by every namespace past the limit. */
export const OVERFLOW_NAMESPACE_LABEL = 'other';

/**
 * One entry per namespace label, created on first use and then reused, so the hot path does a map lookup
 * instead of building label objects. Dynamic namespaces (`/table-1`, `/table-2`, …) could otherwise create
 * series without end: past `limit` distinct namespaces, the rest share the {@link OVERFLOW_NAMESPACE_LABEL} entry.
 */
export class PerNamespace<T> {
  private readonly entries = new Map<string, T>();
  private overflow: T | undefined;

  constructor(
    private readonly limit: number,
    private readonly create: (label: string) => T,
  ) {}

  of(namespace: string): T {
    const entry = this.entries.get(namespace);
    if (entry !== undefined) return entry;
    if (this.entries.size >= this.limit) return (this.overflow ??= this.create(OVERFLOW_NAMESPACE_LABEL));
    const created = this.create(namespace);
    this.entries.set(namespace, created);
    return created;
  }
}
