import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, lastValueFrom, of, defaultIfEmpty, type Observable } from 'rxjs';
import type { Socket } from 'socket.io';
import type { SendReply } from '@reliable-socket/client/protocol';
import { RELIABLE_HANDLER_METADATA, RESOLVED_OPTIONS } from '../reliable-socket.constants.js';
import type { AuthenticatedUser, ResolvedReliableSocketOptions } from '../interfaces/reliable-socket-options.interface.js';
import { ExactlyOnceRunner } from './exactly-once.runner.js';
import { runInHandlerContext } from './handler.context.js';
import type { ReliableHandlerOptions, ResolvedReliableHandlerOptions } from './reliable-handler.options.js';
import { parseSendEnvelope } from './send-envelope.parser.js';

/** Index of the message body in the arguments Nest hands WebSocket interceptors: [socket, data, ack, pattern]. */
const DATA_ARGUMENT = 1;

/**
 * The engine of `@Reliable()`: unwraps the client's envelope so the handler (and its pipes) see the
 * application data, runs the handler exactly once per message id, and answers every attempt with the
 * first attempt's reply as the ack.
 */
@Injectable()
export class ReliableInterceptor implements NestInterceptor {
  /** Per handler, its `@Reliable()` options over the module's: read once, not on every message. */
  private readonly optionsOf = new WeakMap<object, ResolvedReliableHandlerOptions>();

  constructor(
    private readonly reflector: Reflector,
    private readonly runner: ExactlyOnceRunner,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedReliableSocketOptions,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'ws') return next.handle();
    const options = this.handlerOptions(context.getHandler());
    const parsed = parseSendEnvelope(context.getArgByIndex(DATA_ARGUMENT), options.maxPayloadBytes);
    if ('error' in parsed) return of<SendReply>({ ok: false, error: parsed.error });
    const { envelope } = parsed;
    // Nest resolves @MessageBody() and runs pipes from this same array after interceptors, so the
    // handler never sees the envelope.
    context.getArgs()[DATA_ARGUMENT] = envelope.data;
    const socket = context.switchToWs().getClient<Socket>();
    const event = context.switchToWs().getPattern();
    const userId = (socket.data.user as AuthenticatedUser).id;
    const key = { namespace: socket.nsp.name, userId, event, messageId: envelope.id };
    return from(
      this.runner.run({
        key,
        options,
        sequence: options.ordered ? { key: { namespace: key.namespace, userId, senderId: envelope.sid, event }, seq: envelope.seq } : undefined,
        invoke: () => runInHandlerContext(key, () => lastValueFrom(next.handle().pipe(defaultIfEmpty(undefined)))),
      }),
    );
  }

  private handlerOptions(handler: object): ResolvedReliableHandlerOptions {
    let options = this.optionsOf.get(handler);
    if (!options) {
      options = { ...this.options.reliable, ...this.reflector.get<ReliableHandlerOptions | undefined>(RELIABLE_HANDLER_METADATA, handler as () => void) };
      this.optionsOf.set(handler, options);
    }
    return options;
  }
}
