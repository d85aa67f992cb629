// vitest globalSetup (vitest.config.ts): migrates one template database per module once per run, before
// any test file starts, so that test files clone them (createMigratedDatabase) instead of migrating.
import { ensureTemplate, MODULE_MIGRATIONS, type TemplateModule } from './databases.ts';

export default async function setup(): Promise<void> {
  for (const module of Object.keys(MODULE_MIGRATIONS) as TemplateModule[]) await ensureTemplate(module);
}
