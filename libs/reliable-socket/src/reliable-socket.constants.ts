/** DI tokens and metadata keys of the library, in one place. */

/** Resolved options (defaults merged, validated): {@link ResolvedReliableSocketOptions}. */
export const RESOLVED_OPTIONS = Symbol('ReliableSocket:ResolvedOptions');

/** Metadata key set by `@Reliable()` on a gateway handler. */
export const RELIABLE_HANDLER_METADATA = 'reliable-socket:reliable-handler';

/** Metadata key set by `@UniquePerNamespace()` on a gateway class. */
export const UNIQUE_NAMESPACE_METADATA = 'reliable-socket:unique-namespace';

/** Socket.IO room every socket of a user joins, whatever its stream subscriptions (`rs:id:<userId>`). */
export const identityRoom = (userId: string): string => `rs:id:${userId}`;

/** Socket.IO room carrying the live messages of one stream (`rs:user:alice`, `rs:room:lobby`). */
export const streamRoom = (stream: string): string => `rs:${stream}`;

/** The stream whose live room `room` is, or undefined for any other room. */
export const streamOfRoom = (room: string): string | undefined =>
  room.startsWith('rs:user:') || room.startsWith('rs:room:') ? room.slice(3) : undefined;

/** Inter-node event (adapter `serverSideEmit`) announcing room membership changes. */
export const MEMBERSHIP_SERVER_EVENT = 'rs:membership';
