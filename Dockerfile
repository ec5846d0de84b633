# The cbbd orchestrator as a container (ECS Fargate runs started by EventBridge schedules, or any Docker host).
#   docker build -t cbbd .
#   docker run --rm -v cbbd-data:/data cbbd materialize '*' --season current
#   docker run --rm -v cbbd-data:/data -e CBBD_API_KEY cbbd status
# Three stages on one base image: `build` compiles the TypeScript with the dev dependencies; `deps` installs the
# production dependencies only (better-sqlite3 and DuckDB ship their native binaries in their packages: no compiler);
# the runtime stage gets the compiled dist/, those node_modules, ui/ and a config, nothing else.
# test/cli/prod-install.test.ts does what the runtime stage does, without Docker.
# checkov:skip=CKV_DOCKER_2: a batch job started by a schedule, not a service: ECS watches its exit code, not a health check

# The base image, Node 24 LTS on Debian bookworm (slim), pinned by digest: every build of a commit gets the same bytes,
# and a new base image comes as a reviewed change. Tag: node:24-bookworm-slim (this digest is the multi-platform index
# that tag pointed to at Node 24.21.0, node:24.21.0-bookworm-slim). Dependabot (.github/dependabot.yml) proposes the
# new digest when the tag moves; docs/operations.md, "The base image", says how to refresh it by hand.
FROM node:24-bookworm-slim@sha256:0e0ff40c39bc087845bfb27465a0df4ea419520094bc35842ff83dd8cbe6f9b6 AS base

FROM base AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No lifecycle scripts: "prepare" would build before the sources are copied, and nothing here loads a native module.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json config.yaml ./
COPY scripts ./scripts
COPY src ./src
COPY assets ./assets
RUN npm run build \
 && node --import tsx scripts/container-config.ts config.yaml /app/config.container.yaml --app /app --data /data

FROM base AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# "prepare" builds from the sources, which this stage does not have (dist/ comes from the build stage).
RUN npm pkg delete scripts.prepare \
 && npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

FROM base
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/package.json /app/package-lock.json ./
COPY bin ./bin
COPY ui ./ui
COPY --from=build /app/dist ./dist
# The project's config.yaml with absolute paths: the assets module /app/assets/index.ts (no sources here: its
# compiled copy in dist/assets/), the lakehouse, run log and checkpoints under /data (mount a volume,
# or point the drivers at S3 and DynamoDB). Replace it with a mount: -v ./my.yaml:/config/config.yaml
# -e CBBD_CONFIG=/config/config.yaml (for AWS: drivers { storage: s3, checkpoints: dynamodb, catalog: glue }).
COPY --from=build /app/config.container.yaml ./config.yaml
ENV CBBD_CONFIG=/app/config.yaml
# The image's unprivileged user (node, uid 1000) owns only /data; on ECS the root filesystem is read-only and /data
# (with TMPDIR=/data/tmp) is the task's one writable volume.
RUN mkdir -p /data/tmp && chown -R node:node /data
ENV TMPDIR=/data/tmp
USER 1000:1000
WORKDIR /data
VOLUME ["/data"]
ENTRYPOINT ["node", "/app/bin/cbbd.js"]
CMD ["--help"]
