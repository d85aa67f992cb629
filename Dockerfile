# syntax=docker/dockerfile:1
# One image for every Mobius service: `node bin/mobius.js start <service>` picks the service (compose
# `command`, Cloud Run `args`, GKE `args`); `node bin/mobius.js migrate --env prod` runs the migrations.
#
# Compiled: a build stage bundles the TypeScript into dist/ with esbuild (scripts/bundle.ts) and the
# runtime image carries that JavaScript, bin/mobius.js, the SQL migrations and the production
# dependencies the bundle leaves to Node (native addons, pg, OpenTelemetry, the Google Cloud clients).
# No TypeScript, tsx or esbuild in it, no sources, no tests.
#
# Built on Node 22 LTS; the code also runs on Node 20 (package.json engines, what CI tests on): the
# bundle targets node20.19.

ARG NODE_IMAGE=node:22-bookworm-slim

# 1. The dependency manifests alone (every package.json and the lockfile, in their folders), so the
#    install layers below are rebuilt only when a dependency changes, not on every source edit.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json -delete \
 && find . -mindepth 1 -depth -type d -empty -delete

# 2. Production dependencies. hnswlib-node (the local vector index) and bcrypt compile native addons,
#    hence the build tools; they stay in this stage. `npm ci` links the workspaces into node_modules/@mobius.
FROM ${NODE_IMAGE} AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=manifests /app/ ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# 3. The build: every dependency (esbuild, tsx, TypeScript; no install scripts, the bundle needs no
#    native addon) and the sources, bundled into dist/. What the runtime takes is gathered in /out:
#    the root package.json (the CLI's version), bin/mobius.js, dist/ and every migrations folder.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY --from=manifests /app/ ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run bundle \
 && mkdir /out \
 && cp -r --parents package.json bin/mobius.js dist $(find libs services -mindepth 2 -maxdepth 2 -type d -name migrations) /out/

# 4. What runs: node, the bundle and the production node_modules, owned by root and read-only to the
#    service user.
FROM ${NODE_IMAGE} AS runtime
# Services listen on loopback unless HOST says otherwise; in a container they must take connections
# from outside it (compose, Cloud Run, GKE), so the image says 0.0.0.0.
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /out/ ./
# The local vector index server saves its indexes here (VECTOR_INDEX_DATA_DIR); a volume mounted on it
# inherits this ownership, so the unprivileged user can write it.
RUN install -d -o node -g node /data/vector-index
USER node
# Every service drains within 9 s of SIGTERM (libs/service run-service.ts); node is PID 1 and handles it.
STOPSIGNAL SIGTERM
CMD ["node", "bin/mobius.js", "--help"]
