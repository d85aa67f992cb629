# syntax=docker/dockerfile:1
# One image for every Mobius service: `node bin/mobius.js start <service>` picks the service (compose
# `command`, Cloud Run `args`, GKE `args`); `node bin/mobius.js migrate --env prod` runs the migrations.
#
# No compile step: the workspace ships TypeScript and bin/mobius.js registers tsx, a production
# dependency, which compiles each module on load (cached under /tmp). The image therefore holds the
# sources and production dependencies only: no devDependencies, no tests, no build tools.

ARG NODE_IMAGE=node:20-bookworm-slim

# 1. The dependency manifests alone (every package.json and the lockfile, in their folders), so the
#    install layer below is rebuilt only when a dependency changes, not on every source edit.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json -delete \
 && find . -mindepth 1 -depth -type d -empty -delete

# 2. Production dependencies. hnswlib-node (the local vector index) compiles a native addon, hence
#    the build tools; they stay in this stage. `npm ci` links the workspaces into node_modules/@mobius.
FROM ${NODE_IMAGE} AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=manifests /app/ ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# 3. The sources on top of the installed tree (.dockerignore keeps tests, infra and local state out).
FROM deps AS app
COPY . .

# 4. What runs: node, the sources and node_modules, owned by root and read-only to the service user.
FROM ${NODE_IMAGE} AS runtime
# Services listen on loopback unless HOST says otherwise; in a container they must take connections
# from outside it (compose, Cloud Run, GKE), so the image says 0.0.0.0.
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY --from=app /app /app
# The local vector index server saves its indexes here (VECTOR_INDEX_DATA_DIR); a volume mounted on it
# inherits this ownership, so the unprivileged user can write it.
RUN install -d -o node -g node /data/vector-index
USER node
# Every service drains within 9 s of SIGTERM (libs/service run-service.ts); node is PID 1 and handles it.
STOPSIGNAL SIGTERM
CMD ["node", "bin/mobius.js", "--help"]
