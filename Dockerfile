# syntax=docker/dockerfile:1
# eschat: build with the dev dependencies, run with the production ones only, as `node`.
#   docker build -t eschat .
#   docker run -p 8080:8080 -p 1987:1987 -v eschat-data:/app/data eschat

ARG NODE_IMAGE=node:20-bookworm-slim

# Compiles TypeScript; this stage's node_modules (with TypeScript, mocha, ...) never ships.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# better-sqlite3 and argon2 download prebuilt binaries; the toolchain builds them where none fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npx tsc -p tsconfig.json

# The production dependencies, native modules built for this platform.
FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    ESCHAT_DATA=/app/data \
    ESCHAT_HOST=0.0.0.0
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY package.json ./
# The embedded stores (and media) in /app/data; development certificates, made on first start, in /app/priv/ssl.
RUN mkdir -p /app/data /app/priv/ssl && chown node:node /app/data /app/priv/ssl
USER node
VOLUME ["/app/data"]
# HTTPS (both dialects, WebSockets, /metrics, /v1/health) and the IM TLS port.
EXPOSE 8080 1987
# Liveness: the process answers and its live feed is not dead past ESCHAT_FEED_DEAD_SECONDS (GET /v1/health/live). Readiness (read models caught up) is GET /v1/health, for load balancers.
# The certificate may be the development one: this check only asks whether the process answers.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const tls = !/^(off|false|0)$/i.test(process.env.ESCHAT_TLS || 'on'); require(tls ? 'node:https' : 'node:http').get({ host: '127.0.0.1', port: process.env.ESCHAT_PORT || 8080, path: '/v1/health/live', rejectUnauthorized: false, timeout: 2000 }, (res) => process.exit(res.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1)).on('timeout', () => process.exit(1))"]
# SIGTERM: eschat stops accepting, sends clients away with a resume hint, finishes what is in flight, exits within 10 s.
STOPSIGNAL SIGTERM
# node itself as PID 1 receives the signal (no npm in between, which would not pass it on).
CMD ["node", "dist/src/main.js", "serve"]
