import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintDockerfile } from '../../../src/check/dockerfile/lint.js';
import { worldWritable } from '../../../src/check/dockerfile/rules/run.js';

const DIGEST = '@sha256:' + 'c'.repeat(64);

/** [line, severity] of one rule's findings. */
function hits(lines: string[], ruleId: string): Array<[number | undefined, string]> {
  return lintDockerfile(lines.join('\n'), 'Dockerfile')
    .filter((f) => f.ruleId === ruleId)
    .map((f) => [f.line, f.severity]);
}
const linesOf = (lines: string[], ruleId: string): Array<number | undefined> => hits(lines, ruleId).map(([l]) => l);

describe('config/root-user', () => {
  it('flags a final stage without USER at its FROM, and USER root or 0', () => {
    assert.deepEqual(hits(['FROM a', 'RUN x'], 'config/root-user'), [[1, 'MEDIUM']]);
    assert.deepEqual(linesOf(['FROM a', 'USER app', 'USER root:root'], 'config/root-user'), [3]);
    assert.deepEqual(linesOf(['FROM a', 'USER 0'], 'config/root-user'), [2]);
    // a builder's USER does not reach an unrelated final stage
    assert.deepEqual(linesOf(['FROM a AS build', 'USER app', 'FROM b'], 'config/root-user'), [3]);
  });
  it('accepts a non-root USER, also one inherited from the parent stage or a :nonroot base', () => {
    assert.deepEqual(linesOf(['FROM a', 'USER 10001:10001'], 'config/root-user'), []);
    assert.deepEqual(linesOf(['FROM a AS base', 'USER app', 'FROM base', 'RUN x'], 'config/root-user'), []);
    assert.deepEqual(linesOf(['FROM a AS base', 'USER app', 'FROM base', 'USER root'], 'config/root-user'), [4]);
    assert.deepEqual(linesOf(['FROM gcr.example/distroless/static:nonroot'], 'config/root-user'), []);
    assert.deepEqual(linesOf(['FROM a', 'USER root', 'RUN x', 'USER ${APP_USER}'], 'config/root-user'), []);
  });
});

describe('config/no-healthcheck', () => {
  it('flags the final stage without HEALTHCHECK', () => {
    assert.deepEqual(hits(['FROM a AS b', 'HEALTHCHECK CMD true', 'FROM c', 'RUN x'], 'config/no-healthcheck'), [[3, 'LOW']]);
  });
  it('accepts HEALTHCHECK, HEALTHCHECK NONE, and one inherited from the parent stage', () => {
    assert.deepEqual(linesOf(['FROM a', 'HEALTHCHECK --interval=5s CMD curl -f http://localhost/'], 'config/no-healthcheck'), []);
    assert.deepEqual(linesOf(['FROM a', 'HEALTHCHECK NONE'], 'config/no-healthcheck'), []);
    assert.deepEqual(linesOf(['FROM a AS b', 'HEALTHCHECK CMD true', 'FROM b'], 'config/no-healthcheck'), []);
  });
});

describe('config/secret-in-env and config/secret-in-arg', () => {
  const text = [
    'ARG NPM_TOKEN=npm_abcdef', // 1 literal default: env rule
    'FROM a AS build',
    'ARG BUILD_PASSWORD', // 3 builder stage: not in the final history
    'FROM b',
    'ENV APP_PORT=8080 \\',
    '    DB_PASSWORD="s3cr3t" \\', // 6
    '    PASSWORD_FILE=/run/secrets/db',
    'ENV awsSecretAccessKey wJalrXUtnFEMI', // 8 legacy form, camelCase
    'ARG GITHUB_TOKEN', // 9 no default: arg rule
    'ARG API_KEY=', // 10 empty default: arg rule
    'ENV API_KEY=${API_KEY} USE_TOKEN=false AWS_ACCESS_KEY_ID=AKIAEXAMPLE', // variable, switch, id: nothing
  ];
  it('flags literal secret values in ENV and ARG defaults, wherever they are', () => {
    assert.deepEqual(hits(text, 'config/secret-in-env'), [
      [1, 'HIGH'],
      [6, 'HIGH'],
      [8, 'HIGH'],
    ]);
  });
  it('flags secret build args without a literal value in the final image stages only', () => {
    assert.deepEqual(hits(text, 'config/secret-in-arg'), [
      [9, 'MEDIUM'],
      [10, 'MEDIUM'],
    ]);
  });
  it('never puts the value in the message', () => {
    const messages = lintDockerfile(text.join('\n'), 'Dockerfile').map((f) => f.message).join('\n');
    assert.doesNotMatch(messages, /s3cr3t|wJalr|npm_abc/);
    assert.match(messages, /DB_PASSWORD/);
  });
  it('flags LABEL values too, and leaves placeholders and non-secret names alone', () => {
    const more = ['FROM a', 'LABEL maintainer=me registry.token=abcd1234', 'ENV PWD=/app DB_PASSWORD=<set-me> GPG_KEY=A035C8C19219BA82 SESSION_TIMEOUT=30'];
    assert.deepEqual(hits(more, 'config/secret-in-env'), [[2, 'HIGH']]);
  });
});

describe('config/add-remote-url and config/add-instead-of-copy', () => {
  const text = [
    'FROM a',
    'ADD https://user:pw@example.invalid/tool.tar.gz?sig=x /opt/', // 2
    'ADD --checksum=sha256:' + 'd'.repeat(64) + ' https://example.invalid/t.tgz /opt/',
    'ADD app.py config.yaml /app/', // 4
    'ADD vendor.tar.xz /opt/',
    'ADD ["dist.tgz", "/srv/"]',
    'ADD git@example.invalid:org/repo.git /src',
    'ADD <<EOF /etc/motd',
    'hello',
    'EOF',
    'ADD ["run.sh", "/usr/local/bin/"]', // 11
  ];
  it('flags unverified downloads, without credentials or query in the message', () => {
    const found = lintDockerfile(text.join('\n'), 'Dockerfile').filter((f) => f.ruleId === 'config/add-remote-url');
    assert.deepEqual(
      found.map((f) => [f.line, f.severity]),
      [[2, 'MEDIUM']],
    );
    assert.doesNotMatch(found[0]!.message, /pw|sig=/);
    assert.match(found[0]!.message, /example\.invalid\/tool\.tar\.gz/);
  });
  it('flags ADD of local files that are not archives', () => {
    assert.deepEqual(hits(text, 'config/add-instead-of-copy'), [
      [4, 'LOW'],
      [11, 'LOW'],
    ]);
  });
});

describe('config/sensitive-port', () => {
  it('flags remote-admin ports exposed by the final image, ranges included', () => {
    const text = ['FROM a AS tools', 'EXPOSE 23', 'FROM a AS base', 'EXPOSE 2375/tcp', 'FROM base', 'EXPOSE 8080 22/tcp 5905-5920 ${PORT}'];
    assert.deepEqual(hits(text, 'config/sensitive-port'), [
      [4, 'MEDIUM'],
      [6, 'MEDIUM'],
      [6, 'MEDIUM'],
    ]);
    assert.deepEqual(
      lintDockerfile(text.join('\n'), 'Dockerfile')
        .filter((f) => f.ruleId === 'config/sensitive-port')
        .map((f) => f.message),
      ['EXPOSE 2375/tcp: port 2375 is Docker API (plain HTTP)', 'EXPOSE 22/tcp: port 22 is SSH', 'EXPOSE 5905-5920: port 5905 is VNC'],
    );
  });
  it('leaves ordinary service ports alone', () => {
    assert.deepEqual(linesOf(['FROM a', 'EXPOSE 80 443 5432 5984 8080/udp'], 'config/sensitive-port'), []);
  });
});

describe('base image pinning', () => {
  const text = [
    'ARG TAG=1.27',
    'FROM nginx', // 2 no tag
    'FROM nginx:latest', // 3
    'FROM nginx:${TAG}', // 4 tag, no digest
    'FROM nginx:latest' + DIGEST, // 5 pinned
    'FROM nginx' + DIGEST + ' AS pinned',
    'FROM pinned', // stage, not an image
    'FROM scratch',
    'FROM ${UNSET}', // cannot tell
  ];
  it('config/latest-base flags :latest without a digest', () => {
    assert.deepEqual(hits(text, 'config/latest-base'), [[3, 'LOW']]);
  });
  it('dockerfile/unpinned-base flags no tag (MEDIUM) and a tag without digest (LOW)', () => {
    assert.deepEqual(hits(text, 'dockerfile/unpinned-base'), [
      [2, 'MEDIUM'],
      [4, 'LOW'],
    ]);
  });
});

describe('dockerfile/curl-pipe-shell', () => {
  it('flags downloads piped or substituted into a shell or interpreter, on the downloading line', () => {
    const text = [
      'FROM a',
      'RUN curl -fsSL https://example.invalid/i.sh | bash', // 2
      'RUN set -e; \\',
      '    wget -qO- https://example.invalid/i.sh \\',
      '      | sudo sh -s -- --yes', // 4
      'RUN sh -c "$(curl -fsSL https://example.invalid/i.sh)"', // 6
      'RUN curl -s https://example.invalid/get-pip.py | python3 -', // 7
      'RUN bash <(wget -O- https://example.invalid/x)', // 8
    ];
    assert.deepEqual(hits(text, 'dockerfile/curl-pipe-shell'), [
      [2, 'HIGH'],
      [4, 'HIGH'],
      [6, 'HIGH'],
      [7, 'HIGH'],
      [8, 'HIGH'],
    ]);
  });
  it('accepts downloads to files, into tar, or into a program given on the command line', () => {
    const text = [
      'FROM a',
      'RUN curl -fsSLo /tmp/i.sh https://example.invalid/i.sh && sha256sum -c sums && sh /tmp/i.sh',
      'RUN curl -fsSL https://example.invalid/x.tgz | tar -xz -C /opt',
      'RUN curl -s https://example.invalid/v.json | python3 -c "import json,sys; print(json.load(sys.stdin))"',
      'RUN echo "curl x | sh" > /notes.txt',
    ];
    assert.deepEqual(linesOf(text, 'dockerfile/curl-pipe-shell'), []);
  });
});

describe('dockerfile/chmod-777', () => {
  it('flags world-writable modes in RUN and in COPY --chmod', () => {
    const text = ['FROM a', 'RUN chmod -R 777 /app && chmod 1777 /scratch', 'RUN chmod a+rwx /data', 'COPY --chmod=666 x /x', 'RUN chmod 755 /app && chmod u+w /x', 'COPY --chmod=0755 y /y'];
    assert.deepEqual(hits(text, 'dockerfile/chmod-777'), [
      [2, 'MEDIUM'],
      [3, 'MEDIUM'],
      [4, 'MEDIUM'],
    ]);
  });
  it('knows which modes let every user write', () => {
    for (const m of ['777', '0777', '666', '2777', 'o+w', 'a=rwx', 'ugo+rw']) assert.equal(worldWritable(m), true, m);
    for (const m of ['755', '1777', '0644', 'u+w', '+w', 'a+rwxt', 'a+rw,o-w', 'go-w']) assert.equal(worldWritable(m), false, m);
  });
});

describe('dockerfile/sudo', () => {
  it('flags sudo as a command, also behind assignments', () => {
    const text = ['FROM a', 'RUN apt-get install -y sudo', 'RUN sudo make install', 'RUN X=1 sudo -u app true && echo sudo'];
    assert.deepEqual(hits(text, 'dockerfile/sudo'), [
      [3, 'MEDIUM'],
      [4, 'MEDIUM'],
    ]);
  });
});

describe('apt rules', () => {
  it('dockerfile/apt-get-update-alone flags update without an install in the same RUN, in any stage', () => {
    const text = [
      'FROM a AS build',
      'RUN apt-get update', // 2
      'RUN apt-get -q update && apt-get install -y x',
      'FROM b',
      'RUN apt update && echo done', // 5
      'RUN apt-get update && apt-get -y dist-upgrade',
    ];
    assert.deepEqual(hits(text, 'dockerfile/apt-get-update-alone'), [
      [2, 'MEDIUM'],
      [5, 'MEDIUM'],
    ]);
  });
  it('dockerfile/apt-no-install-recommends flags installs in the final image stages only', () => {
    const text = [
      'FROM a AS build',
      'RUN apt-get update && apt-get install -y build-essential',
      'FROM b',
      'RUN apt-get update && apt-get install -y curl', // 4
      'RUN apt-get install -y --no-install-recommends x',
      'RUN apt-get -o APT::Install-Recommends=false install -y x',
      'RUN DEBIAN_FRONTEND=noninteractive apt install -y x', // 7
    ];
    assert.deepEqual(hits(text, 'dockerfile/apt-no-install-recommends'), [
      [4, 'LOW'],
      [7, 'LOW'],
    ]);
  });
});

describe('config/package-cache', () => {
  it('flags package managers that leave their cache in a final-image layer', () => {
    const text = [
      'FROM a AS build',
      'RUN apt-get update && apt-get install -y gcc && pip install x', // builder: not in the image
      'FROM b',
      'RUN apt-get update && apt-get install -y --no-install-recommends curl', // 4
      'RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*',
      'RUN --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install -y --no-install-recommends x',
      'RUN apk add --update curl', // 7
      'RUN apk add --no-cache curl && apk --no-cache add git',
      'RUN pip3 install -r requirements.txt', // 9
      'RUN python3 -m pip install --no-cache-dir flask && pip install --no-cache-dir x',
      'RUN dnf install -y nginx', // 11
      'RUN dnf install -y nginx && dnf clean all',
      'RUN microdnf install -y x && microdnf clean all',
    ];
    assert.deepEqual(hits(text, 'config/package-cache'), [
      [4, 'LOW'],
      [7, 'LOW'],
      [9, 'LOW'],
      [11, 'LOW'],
    ]);
  });
  it('reports one hit per package manager per RUN, at the install', () => {
    const text = ['FROM a', 'RUN apt-get update && \\', '    apt-get install -y --no-install-recommends a && \\', '    apt-get install -y --no-install-recommends b && \\', '    pip install c'];
    assert.deepEqual(linesOf(text, 'config/package-cache'), [3, 5]);
  });
  it('accepts PIP_NO_CACHE_DIR set in the image environment, or the cache removed', () => {
    assert.deepEqual(linesOf(['FROM a', 'ENV PIP_NO_CACHE_DIR=1', 'RUN pip install x'], 'config/package-cache'), []);
    assert.deepEqual(linesOf(['FROM a', 'RUN PIP_NO_CACHE_DIR=1 pip install x'], 'config/package-cache'), []);
    assert.deepEqual(linesOf(['FROM a', 'RUN pip install x && rm -rf ~/.cache/pip'], 'config/package-cache'), []);
    assert.deepEqual(linesOf(['FROM a', 'RUN pip install x && rm -rf /tmp/pip'], 'config/package-cache'), [2]);
  });
});

describe('heredoc RUN', () => {
  it('finds problems inside heredoc scripts at their own lines', () => {
    const text = [
      'FROM a',
      'RUN <<EOF', // 2
      'set -eux',
      'apt-get update',
      'apt-get install -y curl', // 5
      'curl -fsSL https://example.invalid/i.sh | sh', // 6
      'chmod 777 /srv', // 7
      'EOF',
      'COPY <<EOF /etc/notes.txt',
      'chmod 777 /srv is bad', // file content, not a script
      'EOF',
    ];
    const found = lintDockerfile(text.join('\n'), 'Dockerfile')
      .filter((f) => f.ruleId.startsWith('dockerfile/') && f.ruleId !== 'dockerfile/unpinned-base')
      .map((f) => [f.line, f.ruleId]);
    assert.deepEqual(found, [
      [5, 'dockerfile/apt-no-install-recommends'],
      [6, 'dockerfile/curl-pipe-shell'],
      [7, 'dockerfile/chmod-777'],
    ]);
  });
});

describe('a best-practice multi-stage Dockerfile', () => {
  it('has no findings', () => {
    const text = `# syntax=docker/dockerfile:1.7
ARG GO_VERSION=1.22.5

FROM golang:\${GO_VERSION}-bookworm${DIGEST} AS build
WORKDIR /src
# builder stages may keep caches and recommended packages: nothing here ships
RUN apt-get update && apt-get install -y protobuf-compiler
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/root/go/pkg/mod go mod download
COPY . .
RUN --mount=type=secret,id=netrc,target=/root/.netrc \\
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/app ./cmd/app

FROM python:3.12-slim${DIGEST} AS docs
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install --no-cache-dir mkdocs==1.6.0
COPY docs /docs
RUN mkdocs build -f /docs/mkdocs.yml -d /out/site

FROM debian:bookworm-slim${DIGEST} AS runtime
ARG APP_VERSION
LABEL org.opencontainers.image.version=\${APP_VERSION}
RUN <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends ca-certificates tini
rm -rf /var/lib/apt/lists/*
groupadd --system --gid 10001 app
useradd --system --uid 10001 --gid app --no-create-home app
EOF
ADD --checksum=sha256:${'e'.repeat(64)} https://example.invalid/geoip.tar.gz /opt/geoip/
COPY --from=build --chmod=0755 /out/app /usr/local/bin/app
COPY --from=docs /out/site /srv/docs
ENV APP_PORT=8080 \\
    DB_PASSWORD_FILE=/run/secrets/db_password
EXPOSE 8080
USER 10001:10001
HEALTHCHECK --interval=30s --timeout=3s CMD ["/usr/local/bin/app", "healthcheck"]
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/app"]
`;
    assert.deepEqual(lintDockerfile(text, 'Dockerfile'), []);
  });
});
