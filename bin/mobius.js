#!/usr/bin/env node
// The `mobius` CLI. The workspace ships TypeScript sources; tsx compiles them on load.
import { register } from 'tsx/esm/api';

// zod is imported before tsx is registered, on purpose. Once registered, every module Node loads goes
// through tsx's loader hooks, which run on a separate thread: a round trip per module that costs about
// as much again as loading it. zod is plain JavaScript of ~95 ES modules that every command loads
// (@mobius/config), so through the hooks it took ~240 ms of a service's start instead of ~90 ms. Loaded
// here, it is the same module instance the sources get later (Node caches modules by resolved URL), so
// nothing changes but the time (bench/cold-start.ts measures it).
await import('zod');

register();
await import('../libs/cli/src/main.ts');
