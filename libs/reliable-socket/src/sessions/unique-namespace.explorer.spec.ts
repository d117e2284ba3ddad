import { describe, it } from '@jest/globals';
import { GATEWAY_OPTIONS } from '@nestjs/websockets/internal';
import { GATEWAY_OPTIONS_METADATA } from './unique-namespace.explorer.js';

describe('UniqueNamespaceExplorer', () => {
  it('reads gateway options under the key Nest writes them to', () => {
    expect(GATEWAY_OPTIONS_METADATA).toBe(GATEWAY_OPTIONS);
  });
});
