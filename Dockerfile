# syntax=docker/dockerfile:1

# ---- build: compile the server and the dashboard, then keep production dependencies only
FROM node:20-bookworm-slim AS build
# better-sqlite3 is a native addon: its install fetches a prebuilt binary, or compiles with these
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs/ libs/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund \
  && find libs -mindepth 2 -maxdepth 2 -name src -type d -exec rm -rf {} +

# ---- runtime: the built files and their production dependencies, no toolchain
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/libs libs
COPY --from=build /app/apps/server/dist apps/server/dist
COPY --from=build /app/web/dist web/dist
# durable state (annotations) lives in a volume the unprivileged user owns
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 8080
# inside a container the network namespace is the boundary: listen on every interface. Give the
# container AUTH_SECRET (or JWKS_URL); without one it only starts with ALLOW_OPEN=1.
ENV HOST=0.0.0.0 PORT=8080 DATA_DIR=/data
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "apps/server/dist/main.js"]
