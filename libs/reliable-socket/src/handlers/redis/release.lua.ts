/**
 * Gives up a lease without a result, so the next attempt runs the handler at once instead of waiting
 * for the lease to expire. Only the holder's token releases; a reply on record is never touched.
 *
 * KEYS[1]: the message key. ARGV[1]: the token.
 * Returns 1 if the lease was released, 0 otherwise.
 */
export const RELEASE_LUA = `
if redis.call('GET', KEYS[1]) == 'L:' .. ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;
