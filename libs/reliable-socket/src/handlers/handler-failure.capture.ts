import { isObservable, lastValueFrom } from 'rxjs';
import type { BoundHandler, ClientAck } from '../io/handler-reply.sender.js';

/**
 * Stands in for the ack argument of a `@Reliable()` message while its Nest handler runs. Nest hands
 * what a guard, a pipe or the handler throws to the exception filters instead of to the caller; the
 * `ReliableExceptionFilter` that `@Reliable()` applies finds this capture in the ack's place and records
 * the error here, so that the exactly-once runner can record it as the message's outcome.
 */
export class HandlerFailureCapture {
  failed = false;
  error: unknown;

  fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.error = error;
  }
}

/**
 * Runs a handler as Nest bound it (guards, interceptors, pipes, the method, its exception filters) and
 * resolves to its result — an Observable's last value, as Nest's interceptors would see it — or rejects
 * with what it threw.
 */
export async function invokeBoundHandler(handler: BoundHandler, data: unknown): Promise<unknown> {
  const capture = new HandlerFailureCapture();
  const result = await handler(data, capture as unknown as ClientAck);
  const value = isObservable(result) ? await lastValueFrom(result, { defaultValue: undefined }) : result;
  if (capture.failed) throw capture.error;
  return value;
}
