import { isDeepStrictEqual } from 'node:util';

/** The value at a dot path (`user.region`) of an object, or undefined when a step is missing. */
function valueAt(source: unknown, path: string): unknown {
  let current = source;
  for (const step of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

/** A wanted value is one value or a list of accepted values. */
const acceptedValues = (wanted: unknown): unknown[] => (Array.isArray(wanted) ? wanted : [wanted]);

/**
 * Whether `data` (a socket's `socket.data`) satisfies every condition of a campaign's `where`: the value
 * at each dot path equals the wanted value or one of a wanted list; an array field matches when it
 * contains an accepted value. Values compare structurally, so `{ 'user.tier': { level: 2 } }` works too.
 *
 * @example
 * matchesWhere({ user: { id: 'car-7', region: 'eu', roles: ['beta'] } }, { 'user.region': ['eu', 'uk'], 'user.roles': 'beta' }); // true
 */
export function matchesWhere(data: unknown, where: Record<string, unknown>): boolean {
  return Object.entries(where).every(([path, wanted]) => {
    const actual = valueAt(data, path);
    const accepted = acceptedValues(wanted);
    const candidates = Array.isArray(actual) ? actual : [actual];
    return candidates.some((candidate) => accepted.some((value) => isDeepStrictEqual(candidate, value)));
  });
}
