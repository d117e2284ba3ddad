/** Listener of one signal of a {@link TypedEmitter}. */
export type Listener<T> = (payload: T) => void;

/**
 * A minimal typed emitter: browsers have no Node `events` module, and a library this small should
 * not pull a polyfill in.
 *
 * @example
 * const emitter = new TypedEmitter<{ ping: { at: number } }>();
 * const off = emitter.on('ping', ({ at }) => console.log(at));
 * emitter.emit('ping', { at: Date.now() });
 * off();
 */
export class TypedEmitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => this.off(name, listener);
  }

  off<K extends keyof Events>(name: K, listener: Listener<Events[K]>): void {
    const set = this.listeners.get(name);
    set?.delete(listener as Listener<never>);
    if (set?.size === 0) this.listeners.delete(name);
  }

  /** Number of listeners of `name`, so callers can skip building payloads nobody reads. */
  listenerCount(name: keyof Events): number {
    return this.listeners.get(name)?.size ?? 0;
  }

  /**
   * Calls every listener of `name`. A throwing listener is reported but never stops the others nor the
   * caller: these signals are emitted from inside the delivery pipeline, which must not break.
   */
  emit<K extends keyof Events>(name: K, payload: Events[K]): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<Events[K]>)(payload);
      } catch (error) {
        reportListenerError(error);
      }
    }
  }
}

function reportListenerError(error: unknown): void {
  const report = (globalThis as { reportError?: (error: unknown) => void }).reportError;
  if (typeof report === 'function') report(error);
  else console.error('reliable-socket: a lifecycle listener threw', error);
}
