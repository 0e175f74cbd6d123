# syntax=docker/dockerfile:1
# Lianxin's image: one image for the web process, the worker and the CLI (the command differs).
# docs/operations.md, "Containers", says how it is run and what was tried.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: the whole dependency tree, then `nest build` into dist/ ----------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# The lockfile and package.json's allowScripts are npm 11's; node:20 ships npm 10.
RUN npm install --global npm@11 && npm --version
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY migrations ./migrations
COPY src ./src
RUN npx nest build

# --- runtime: production dependencies, the compiled app and its templates ----------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data
WORKDIR /app
RUN npm install --global npm@11 && npm cache clean --force
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# dist/ holds the app and the compiled migrations (dist/migrations); the app finds templates/
# beside package.json (src/common/paths.ts), so both go to /app.
COPY --from=build /app/dist ./dist
COPY templates ./templates
COPY deploy/docker-entrypoint.sh /usr/local/bin/lianxin-entrypoint
# DATA_DIR keeps cover images and grant attachments (a volume shared by every web process).
RUN chmod 0755 /usr/local/bin/lianxin-entrypoint \
 && mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
VOLUME ["/app/data"]
# /health/live: the process answers HTTP (readiness, /health/ready, is for the proxy and the
# orchestrator). Slim images have no curl: Node's own fetch asks.
HEALTHCHECK --interval=10s --timeout=3s --start-period=40s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["lianxin-entrypoint"]
CMD ["node", "dist/src/main.js"]
