/** DI tokens of the control plane, in one place. */

/**
 * Name of the `ClientProxy` a business service registers for the control plane; `ReliableControlClient`
 * injects it.
 *
 * @example
 * ClientsModule.register([{ name: RELIABLE_CONTROL_CLIENT, transport: Transport.REDIS, options: { host, port } }])
 */
export const RELIABLE_CONTROL_CLIENT = 'RELIABLE_CONTROL_CLIENT';

/** Optional {@link ReliableControlClientOptions} for an injected `ReliableControlClient`. */
export const RELIABLE_CONTROL_CLIENT_OPTIONS = Symbol('ReliableSocket:ControlClientOptions');

/** Resolved `ReliableControlModule` options on the socket nodes. */
export const CONTROL_OPTIONS = Symbol('ReliableSocket:ControlOptions');
