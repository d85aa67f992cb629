import { createBus } from '../index.ts';
import { runBusConformance } from '../testing/index.ts';
import { MEMORY_CAPABILITIES } from './memory.ts';

runBusConformance('memory', (prefix) => createBus({ kind: 'memory', topicPrefix: prefix }), {
  capabilities: MEMORY_CAPABILITIES,
  prefixBase: 'conf_mem_',
  extensions: { deadLetters: true, subscriptionStats: true },
});
