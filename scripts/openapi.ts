// `npm run openapi`: writes the OpenAPI document each HTTP API serves at /docs/json to
// docs/api/openapi-<service>.json, so the API can be read (and diffed) without running anything.
// The apps are built in process as their tests build them; no request reaches a database (the pools
// connect on first query, and none is made), so no server is needed.
import { writeFile } from 'node:fs/promises';
import { createChatTestService } from '../services/chat/src/testing/harness.ts';
import { createRagTestService } from '../services/rag/src/testing/harness.ts';
import { createUserTestService } from '../services/user/src/testing/harness.ts';

/** Never connected to: building an app makes no query. */
const UNUSED_DATABASE = 'postgresql://postgres@127.0.0.1:5432/mobius_openapi_unused';
const SECRET = 'openapi-document-only';

const services = [
  [
    'rag',
    async () =>
      createRagTestService({ databaseUrl: UNUSED_DATABASE, dimensions: 1536, access: { mode: 'required', serviceToken: SECRET.repeat(2) } }),
  ],
  ['chat', async () => createChatTestService({ databaseUrl: UNUSED_DATABASE, dimensions: 1536, secret: SECRET })],
  ['user', async () => createUserTestService({ databaseUrl: UNUSED_DATABASE, secret: SECRET })],
] as const;

for (const [name, build] of services) {
  const service = await build();
  try {
    const answer = await service.app.inject({ method: 'GET', url: '/docs/json' });
    if (answer.statusCode !== 200) throw new Error(`${name}: /docs/json answered ${answer.statusCode}`);
    const document = answer.json() as { info: { title: string; description?: string } };
    document.info.title = `${name} API`;
    document.info.description = `The HTTP API of the Mobius ${name} service (docs/api/${name}.md).`;
    const path = `docs/api/openapi-${name}.json`;
    await writeFile(path, `${JSON.stringify(document, null, 2)}\n`);
    process.stdout.write(`wrote ${path}\n`);
  } finally {
    await service.close();
  }
}
