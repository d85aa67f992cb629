#!/usr/bin/env node
// The `mobius` CLI. The workspace ships TypeScript sources; tsx compiles them on load.
import { register } from 'tsx/esm/api';

register();
await import('../libs/cli/src/main.ts');
