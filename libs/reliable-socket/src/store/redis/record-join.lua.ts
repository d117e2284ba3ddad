/**
 * The user side of a room join: records the join offset unless the user is already a member, and
 * returns the offset in force. Keeping the original matters: moving it forward on a rejoin would
 * skip messages the user has not received.
 *
 * KEYS: the user's rooms hash.
 * ARGV: room, the room stream's head now.
 */
export const RECORD_JOIN_LUA = `
redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
return tonumber(redis.call('HGET', KEYS[1], ARGV[1]))
`;
