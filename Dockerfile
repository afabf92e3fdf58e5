# syntax=docker/dockerfile:1
# The Vigil image: the API and the worker as compiled JavaScript (`npm run build`),
# the production dependencies, and the model baked in read-only at /app/model.
#   docker build -t vigil .                       (then see docker-compose.yml, deploy/k8s/)
#   docker run vigil                              the API: node dist/api.mjs, on PORT 8000
#   docker run vigil node dist/worker.mjs         the worker (health on WORKER_METRICS_PORT)
#   docker run vigil vigil --help                 the CLI (node dist/cli.mjs)
# A retrained model is a new image: build it again after `npm run train-model`.

ARG NODE_IMAGE=node:20-bookworm
ARG RUNTIME_IMAGE=node:20-bookworm-slim

# Every package.json of the workspaces, in its folder, and nothing else: the
# install stages below are then rebuilt when a dependency changes, not when code does.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests && cp package.json package-lock.json .npmrc /manifests/ \
    && find apps packages -mindepth 2 -maxdepth 2 -name package.json -exec cp --parents '{}' /manifests/ \;

# The full image has python3, make and g++: better-sqlite3 compiles here when no
# prebuilt binary matches. .npmrc skips onnxruntime-node's CUDA download (CPU only).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# The same install without the devDependencies (TypeScript, esbuild, mocha, ...):
# what the runtime image ships. The workspace links are dropped: their code is in the bundles.
FROM ${NODE_IMAGE} AS production-deps
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --no-audit --no-fund && rm -rf node_modules/@vigil

FROM ${RUNTIME_IMAGE} AS runtime
# NODE_ENV is left to the deployment: `production` makes the API keys mandatory.
ENV HOST=0.0.0.0 \
    PORT=8000 \
    MODEL_PATH=/app/model/model.onnx \
    SQLITE_PATH=/app/data/monitoring.db \
    SPOOL_DIR=/app/data/journal \
    ALERT_RULES_PATH=/app/deploy/alerts.json
WORKDIR /app
# Everything under /app belongs to root and is read-only to the process; only
# /app/data (a volume: SQLite and the journal) is the process's. A named volume
# mounted there starts with this folder's owner, so uid 1000 can write it.
COPY --from=production-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY deploy/alerts.json ./deploy/alerts.json
COPY artifacts/model.onnx artifacts/model.spec.json artifacts/reference.json artifacts/drift.config.json artifacts/quality-reference.json ./model/
RUN chmod -R a-w /app/model \
    && mkdir -p /app/data && chown 1000:1000 /app/data \
    && printf '#!/bin/sh\nexec node --enable-source-maps /app/dist/cli.mjs "$@"\n' > /usr/local/bin/vigil \
    && chmod 755 /usr/local/bin/vigil
# The image's `node` user, by number: Kubernetes' runAsNonRoot can only verify a numeric user.
USER 1000:1000
EXPOSE 8000 9464
# No curl in the slim image: node asks /healthz itself (the API's; docker-compose.yml
# gives the worker its own check on WORKER_METRICS_PORT).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM reaches node directly (exec form, no shell): the API's shutdown grace and drain run.
CMD ["node", "--enable-source-maps", "dist/api.mjs"]
