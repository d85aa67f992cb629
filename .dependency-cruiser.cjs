// The layering rules of docs/architecture.md, checked by dependency-cruiser on every import (type-only
// ones included). `npm run check` runs them with the manifests check (scripts/check-dependencies.ts);
// `npx depcruise libs services --config .dependency-cruiser.cjs` runs the rules alone.

/** The ports (the interface packages) and their adapters' folders. */
const PORTS = '(bus|vector-index|warehouse|embedder)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'services-never-import-services',
      comment: 'A service reaches another over the bus or HTTP, never by importing its code (docs/architecture.md).',
      severity: 'error',
      from: { path: '^services/([^/]+)/' },
      to: { path: '^services/', pathNot: ['^services/$1/'] },
    },
    {
      name: 'handlers-never-import-pg-or-fastify',
      comment: 'Handlers take ports and repositories: no database driver, no HTTP framework (services/*/src/handlers).',
      severity: 'error',
      from: { path: '^services/[^/]+/src/handlers/' },
      to: { path: '(^|/)node_modules/(pg|pg-pool|pg-cursor|fastify|@fastify/[^/]+)/' },
    },
    {
      name: 'ports-never-import-adapters',
      comment: 'A port (libs/<port>/src/*.ts and its middleware) knows no adapter; only its factory (index.ts, factory.ts) picks one, on demand.',
      severity: 'error',
      from: { path: `^libs/${PORTS}/src/(?!index\\.ts$|factory\\.ts$|adapters/|testing/)` },
      to: { path: `^libs/${PORTS}/src/adapters/` },
    },
    {
      name: 'libs-never-import-services',
      comment: 'Libraries are below services; only the CLI (which runs them) imports services.',
      severity: 'error',
      from: { path: '^libs/', pathNot: ['^libs/cli/'] },
      to: { path: '^services/' },
    },
    {
      name: 'workspaces-import-each-other-by-package-name',
      comment: 'Another workspace is imported as @mobius/<name> (listed in package.json), never by a relative path into it.',
      severity: 'error',
      from: { path: '^(libs|services)/([^/]+)/' },
      to: { path: '^(libs|services)/', pathNot: ['^$1/$2/'], dependencyTypes: ['local'] },
    },
    {
      name: 'no-unresolvable-imports',
      comment: 'Every import resolves (a package not installed is not listed anywhere).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/', '^coverage/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    skipAnalysisNotInRules: false,
    reporterOptions: { text: { highlightFocused: true } },
  },
};
