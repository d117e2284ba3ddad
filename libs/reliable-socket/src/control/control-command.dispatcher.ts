import { Injectable, Logger } from '@nestjs/common';
import { NamespaceRegistry } from '../io/namespace.registry.js';
import { BroadcastHandler } from './broadcast.handler.js';
import { CampaignCommandsHandler } from './campaign-commands.handler.js';
import type { ControlCommandName, ControlCommands } from './control.contract.js';
import { CONTROL_PARSERS, type ParsedCommand } from './control-commands.parser.js';
import { toControlError } from './control-error.mapper.js';
import { DisconnectHandler } from './disconnect.handler.js';
import { OnceOnlyExecutor } from './once-only.executor.js';
import { PresenceQueryHandler } from './presence-query.handler.js';
import { ControlErrorCode, ReliableControlError } from './reliable-control.error.js';
import { RoomEvictionHandler } from './room-eviction.handler.js';

interface Route<K extends ControlCommandName> {
  /**
   * `once`: changes something, so exactly one node executes it and every node answers with its reply.
   * `anyNode`: reads shared state (Redis), so each node's own answer is already complete.
   */
  runs: 'once' | 'anyNode';
  execute(command: ParsedCommand<K>): Promise<ControlCommands[K][1]>;
}

/**
 * Validates a control command, checks its namespace and executes it where it must run: once in the
 * cluster for commands with effects, on the receiving node for queries. Whatever fails becomes a
 * {@link ReliableControlError}, the only error this throws.
 *
 * @example
 * const result = await dispatcher.execute('disconnect', { requestId: randomUUID(), namespace: '/chat', userId: 'bob' });
 */
@Injectable()
export class ControlCommandDispatcher {
  private readonly logger = new Logger('ReliableControl');
  private readonly routes: { [K in ControlCommandName]: Route<K> };

  constructor(
    private readonly onceOnly: OnceOnlyExecutor,
    private readonly registry: NamespaceRegistry,
    broadcasts: BroadcastHandler,
    disconnects: DisconnectHandler,
    rooms: RoomEvictionHandler,
    presence: PresenceQueryHandler,
    campaigns: CampaignCommandsHandler,
  ) {
    this.routes = {
      broadcast: { runs: 'once', execute: (command) => broadcasts.broadcast(command) },
      disconnect: { runs: 'once', execute: (command) => disconnects.disconnect(command) },
      removeFromRoom: { runs: 'once', execute: (command) => rooms.removeFromRoom(command) },
      clearRooms: { runs: 'once', execute: (command) => rooms.clearRooms(command) },
      presence: { runs: 'anyNode', execute: (command) => presence.answer(command) },
      'campaign.preview': { runs: 'anyNode', execute: (command) => campaigns.preview(command) },
      'campaign.start': { runs: 'once', execute: (command) => campaigns.start(command) },
      'campaign.progress': { runs: 'anyNode', execute: (command) => campaigns.progress(command) },
      'campaign.pause': { runs: 'once', execute: (command) => campaigns.pause(command) },
      'campaign.resume': { runs: 'once', execute: (command) => campaigns.resume(command) },
      'campaign.cancel': { runs: 'once', execute: (command) => campaigns.cancel(command) },
    };
  }

  /** Resolves to the command's result; rejects only with a {@link ReliableControlError}. */
  async execute<K extends ControlCommandName>(name: K, payload: unknown): Promise<ControlCommands[K][1]> {
    try {
      const command = CONTROL_PARSERS[name](payload) as ParsedCommand<K>;
      const { namespace } = command as { namespace?: string };
      if (namespace !== undefined) this.assertBound(namespace);
      const route = this.routes[name] as Route<K>;
      if (route.runs === 'anyNode') return await route.execute(command);
      return await this.onceOnly.run(name, command.requestId, () => route.execute(command));
    } catch (error) {
      throw toControlError(error, this.logger);
    }
  }

  /**
   * Before anything runs: every node answers alike for a namespace its gateways all declare. (A child of
   * a dynamic namespace exists only on the nodes where a client connected to it.)
   */
  private assertBound(namespace: string): void {
    if (this.registry.names().includes(namespace)) return;
    const bound = this.registry.names().join(', ') || 'none';
    throw new ReliableControlError(ControlErrorCode.NotFound, `unknown namespace "${namespace}" (bound namespaces: ${bound})`);
  }
}
