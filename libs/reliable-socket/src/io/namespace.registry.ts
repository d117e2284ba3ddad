import { Injectable } from '@nestjs/common';
import type { Namespace } from 'socket.io';

/** The Socket.IO namespaces the library is bound to, by name, on this node. */
@Injectable()
export class NamespaceRegistry {
  private readonly namespaces = new Map<string, Namespace>();

  register(namespace: Namespace): void {
    this.namespaces.set(namespace.name, namespace);
  }

  names(): string[] {
    return [...this.namespaces.keys()];
  }

  /**
   * Looks a namespace up without ever creating one: `server.of(name)` on an unknown name would create a
   * namespace with none of the library's middleware, so an unknown name is an error instead.
   */
  get(name: string): Namespace {
    const namespace = this.namespaces.get(name);
    if (!namespace) {
      const known = this.names().join(', ') || 'none yet';
      throw new Error(`ReliableSocket: unknown namespace "${name}" (bound namespaces: ${known})`);
    }
    return namespace;
  }

  /** The namespace to use when the caller names none: the configured default or the only one bound. */
  defaultName(configured?: string): string {
    if (configured) return configured;
    const names = this.names();
    if (names.length === 1) return names[0];
    throw new Error(
      names.length === 0
        ? 'ReliableEmitter: no gateway namespace is bound yet; call emitter.of(namespace) or wait for the app to listen'
        : `ReliableEmitter: several namespaces are bound (${names.join(', ')}); call emitter.of(namespace) or set the defaultNamespace option`,
    );
  }
}
