# Secure Reporter image: the compiled server (dist/) and the built web app (web/dist/) on Node 20.
# scripts/replay-dockerfile.ts replays this file's stages (WORKDIR, ENV, COPY, RUN, USER, CMD,
# HEALTHCHECK) on a clean clone without Docker; CI runs it, so keep instructions it understands.

# Build stage: the full image has python and a compiler for better-sqlite3's native addon.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build
# Drop development packages here, where the addon was compiled, so the slim stage needs no compiler.
RUN npm prune --omit=dev --no-audit --no-fund

# Runtime stage: same Debian release as the build stage, so the compiled addon loads.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
ENV DATA_DIR=/data
ENV PORT=8080
ENV HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
# The official image's unprivileged `node` user owns the data folder and runs the server.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8080
# Liveness only: /readyz (metadata store reachable) is for the load balancer, see compose.yaml.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "bin/healthcheck.js", "/healthz"]
CMD ["node", "dist/main.js"]
