/**
 * The subset of the Web Storage API the SDK needs. Methods may be synchronous (`localStorage`) or
 * return promises (React Native AsyncStorage, IndexedDB wrappers): the SDK awaits every call.
 *
 * @example
 * const storage: StorageLike = {
 *   getItem: (key) => AsyncStorage.getItem(key),
 *   setItem: (key, value) => AsyncStorage.setItem(key, value),
 *   removeItem: (key) => AsyncStorage.removeItem(key),
 * };
 */
export interface StorageLike {
  getItem(key: string): string | null | undefined | Promise<string | null | undefined>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
}
