#!/usr/bin/env node
// The `mobius` CLI. It runs the bundle `npm run build` writes in dist/ (scripts/bundle.ts), what the
// production image carries; in a checkout without a build, or whose build is older than a source it
// was built from, it runs the TypeScript sources through tsx (a devDependency), so a stale dist/ never
// shadows an edit.
import { existsSync, readFileSync, statSync } from 'node:fs';

const bundle = new URL('../dist/mobius.js', import.meta.url);

/** True when dist/ holds a build and no source it lists (dist/inputs.json) changed after it. Sources absent (the image): current. */
function bundleIsCurrent() {
  if (!existsSync(bundle)) return false;
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(new URL('../dist/inputs.json', import.meta.url), 'utf8'));
  } catch {
    return false;
  }
  const built = statSync(bundle).mtimeMs;
  for (const input of inputs) {
    const source = statSync(new URL(`../${input}`, import.meta.url), { throwIfNoEntry: false });
    if (source && source.mtimeMs > built) return false;
  }
  return true;
}

if (bundleIsCurrent()) {
  await import(bundle.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../libs/cli/src/main.ts');
}
