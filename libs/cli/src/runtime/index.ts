/**
 * How the CLI finds what it acts on: the environment, else the running `mobius dev` (its
 * runtime.json), else defaults; and the one line each command prints about it.
 */
export { RUNTIME_FILE, readDevRuntime, writeDevRuntime, type DevRuntime, type DevRuntimeState } from './dev-runtime.ts';
export { resolveCliEnv, type ResolveOptions, type ResolvedCliEnv, type ValueSource } from './resolve-env.ts';
export { announceTarget, busItem, databaseItem, indexItem, serviceItem, targetLine, type TargetItem } from './target-line.ts';
export { DEV_VARIABLE_GROUPS, SERVICE_URL_VARIABLES } from './variables.ts';
