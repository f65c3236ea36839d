# syntax=docker/dockerfile:1

# ---- build: compile the server and the dashboard
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs/ libs/
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run build

# ---- runtime: production dependencies and the built files only
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=build /app/libs/ libs/
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
  && find libs -mindepth 2 -maxdepth 2 -name src -type d -exec rm -rf {} + \
  && npm cache clean --force
COPY --from=build /app/apps/server/dist apps/server/dist
COPY --from=build /app/web/dist web/dist
USER node
EXPOSE 8080
# inside a container the network namespace is the boundary: listen on every interface
ENV HOST=0.0.0.0 PORT=8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "apps/server/dist/main.js"]
