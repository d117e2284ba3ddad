import { describeSessionRegistryContract } from './session.registry.contract.js';
import { MemorySessionRegistry } from './memory-session.registry.js';

describeSessionRegistryContract('memory', async () => ({ registry: new MemorySessionRegistry(), cleanup: async () => undefined }));
