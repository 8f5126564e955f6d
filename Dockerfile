# syntax=docker/dockerfile:1
#
# GuardDuty Runtime Responder: multi-stage image.
#   build:   compile TypeScript and better-sqlite3's native addon, then drop dev dependencies
#   runtime: node + dist/ + production node_modules, as the unprivileged `node` user (uid 1000)
# Both stages use the same base image, so the addon compiled in `build` matches the runtime's
# Node ABI and glibc. The tag is an exact Node release (24 LTS), the same version `.ci/run`
# tests on (NODE_VERSION there): change both together.

FROM node:24.22.3-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 downloads a prebuilt addon when one exists for this Node/arch, and compiles it
# with node-gyp otherwise; node-gyp needs python3, make and a C++ compiler.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev \
 && npm cache clean --force

FROM node:24.22.3-bookworm-slim AS runtime
ENV NODE_ENV=production \
    STORE_URL=sqlite:/data/responder.db \
    PORT=3000
WORKDIR /app
# Application files stay owned by root: the app can read them, not change them.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The render CLI: docker run --rm -i IMAGE node bin/guardduty-responder.js render - < finding.json
COPY bin ./bin
COPY manifest.yml ./manifest.yml
# The SQLite store (inbox, dedupe, finding → card) is the only thing written at run time.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
# slim images have no curl; node's fetch does the job. /healthz answers 200 while the store does.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "dist/main.js"]
