# The cbbd orchestrator as a container (for ECS Fargate runs started by EventBridge schedules).
# Built with: docker build -t cbbd . ; run: docker run --rm -e CBBD_API_KEY cbbd materialize '*'
FROM node:20-bookworm-slim AS deps
WORKDIR /app
# better-sqlite3 uses a prebuilt binary when one matches; the toolchain is here for when none does.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY assets ./assets
COPY ui ./ui
# Run as the image's unprivileged user; the lakehouse and run log live under /data (mount a volume, or use S3).
# Paths in a config file resolve against its folder, so the image's config names them absolutely. For AWS, mount a
# config with `drivers: { storage: s3, checkpoints: dynamodb, catalog: glue }` and point CBBD_CONFIG at it.
RUN mkdir -p /data && chown node:node /data \
 && printf 'assets: /app/assets/index.ts\nlakehouse: { root: /data/lakehouse }\nrunLog: { path: /data/.cbbd/runlog.sqlite }\ncheckpoints: { path: /data/.cbbd/checkpoints.sqlite }\n' > /app/config.yaml
USER node
ENV CBBD_CONFIG=/app/config.yaml
WORKDIR /data
ENTRYPOINT ["node", "/app/bin/cbbd.js"]
CMD ["materialize", "*"]
