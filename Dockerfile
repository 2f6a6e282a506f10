# cavas itself as a container image.
#   build: docker build -t cavas .
#   run:   docker run --rm -v "$PWD:/work" -w /work cavas scan image.tar
#
# The base image is pinned by tag only. A production build pins the digest too
# (--build-arg NODE_IMAGE=node:20-bookworm-slim@sha256:...), so a moved tag cannot
# change what is built; until then `cavas lint` reports dockerfile/unpinned-base (LOW)
# for both stages, and test/cli/dockerfile.test.ts accepts exactly that.
ARG NODE_IMAGE=node:20-bookworm-slim

# Build stage: compiles TypeScript and better-sqlite3's native addon, then drops dev dependencies.
FROM ${NODE_IMAGE} AS build
# node-gyp builds better-sqlite3 from source when no prebuilt binary can be fetched.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The lock file alone first, so the dependency layer is reused while only src/ changes.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/copy-web.mjs ./scripts/
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: what package.json "files" ships (dist, docs, README.md, LICENSE), plus
# package.json (read for the version) and the production node_modules.
FROM ${NODE_IMAGE}
ARG CAVAS_VERSION=0.2.0
LABEL org.opencontainers.image.title="cavas" \
      org.opencontainers.image.description="Cloud-Aware Vulnerability Assessment System: container image security scanner" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${CAVAS_VERSION}"
ENV NODE_ENV=production \
    CAVAS_CACHE_DIR=/var/cache/cavas
# A fixed numeric UID/GID, so volume ownership and USER do not depend on /etc/passwd.
RUN groupadd --system --gid 10001 cavas \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin cavas \
 && mkdir -p /var/cache/cavas \
 && chown 10001:10001 /var/cache/cavas
WORKDIR /opt/cavas
# Application files stay owned by root: the scanner cannot rewrite itself.
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY docs ./docs
COPY LICENSE README.md ./
USER 10001:10001
# The advisory DB lives here; mount a named volume to keep it between runs.
VOLUME ["/var/cache/cavas"]
WORKDIR /work
# cavas is a one-shot CLI, so there is nothing long-running to probe. When `cavas server`
# exists, its image (or a server target of this file) gets an HTTP HEALTHCHECK instead.
HEALTHCHECK NONE
ENTRYPOINT ["node", "/opt/cavas/dist/cli/main.js"]
CMD ["--help"]
