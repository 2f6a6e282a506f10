/**
 * JSON schemas of what the API returns, registered once (app.addSchema) and referenced
 * by `$id#` from the routes: Fastify serialises responses with them (dropping any field
 * not listed, so a stored secret cannot leak through a forgotten property) and
 * @fastify/swagger turns them into the OpenAPI components.
 */
import type { FastifyInstance } from 'fastify';
import { SEVERITY_ORDER } from '../../types.js';

export const SEVERITIES = [...SEVERITY_ORDER];
export const EVENT_TYPES = ['image.pushed', 'image.scanned', 'scan.failed', 'finding.new', 'finding.fixable', 'finding.gone', 'db.updated'] as const;
export const FINDING_KINDS = ['vulnerability', 'config', 'secret', 'malware'] as const;

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const bool = { type: 'boolean' } as const;
const anyObject = { type: 'object', additionalProperties: true } as const;

export const ref = (id: string) => ({ $ref: `${id}#` }) as const;

/** Route parameter `:id` of every numeric record. */
export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
} as const;

const counts = {
  type: 'object',
  description: 'Open findings by severity.',
  properties: Object.fromEntries(SEVERITIES.map((s) => [s, int])),
} as const;

const imageProperties = {
  id: int,
  registry: { type: 'string', description: 'host[:port] of the registry.' },
  repository: str,
  digest: { type: 'string', description: 'sha256 of the manifest (or index) pushed.' },
  mediaType: str,
  tags: { type: 'array', items: str },
  firstSeen: str,
  lastSeen: str,
  scannedAt: { type: 'string', description: 'Absent while the first scan is pending.' },
  counts,
} as const;

const layer = {
  type: 'object',
  properties: { index: int, digest: str, diffId: str, size: int, createdBy: str },
} as const;

const findingProperties = {
  key: str,
  digest: str,
  kind: { type: 'string', enum: [...FINDING_KINDS] },
  id: { type: 'string', description: 'CVE/advisory id, or rule id for checks.' },
  severity: { type: 'string', enum: SEVERITIES },
  purl: str,
  packageName: str,
  installedVersion: str,
  fixedVersion: str,
  kev: bool,
  path: str,
  firstSeen: str,
  fixedAt: str,
  finding: { ...anyObject, description: 'The finding as the scan reported it (see docs/scan-result.md).' },
} as const;

const schemas = [
  {
    $id: 'Error',
    type: 'object',
    required: ['error'],
    properties: {
      error: { type: 'object', required: ['code', 'message'], properties: { code: str, message: str } },
    },
  },
  { $id: 'Image', type: 'object', properties: imageProperties },
  {
    $id: 'ImageDetail',
    type: 'object',
    properties: {
      ...imageProperties,
      layers: { type: 'array', items: layer },
      platform: { type: 'string', description: 'os/architecture[/variant] of the image scanned (for an index: the platform chosen).' },
      configDigest: str,
      created: str,
      os: { type: 'string', description: 'The distribution found in the image.' },
    },
  },
  {
    $id: 'Scan',
    type: 'object',
    properties: {
      id: int,
      reference: str,
      registry: str,
      repository: str,
      tag: str,
      digest: str,
      reason: { type: 'string', enum: ['push', 'api', 'watch'] },
      status: { type: 'string', enum: ['queued', 'running', 'done', 'failed'] },
      requestedAt: str,
      finishedAt: str,
      error: str,
      reused: { type: 'boolean', description: 'The digest was already stored: nothing was pulled.' },
    },
  },
  { $id: 'Finding', type: 'object', properties: findingProperties },
  {
    $id: 'FindingWithImages',
    type: 'object',
    properties: { ...findingProperties, images: { type: 'array', items: { type: 'object', properties: imageProperties } } },
  },
  {
    $id: 'Event',
    type: 'object',
    properties: {
      id: int,
      at: str,
      type: { type: 'string', enum: [...EVENT_TYPES] },
      registry: str,
      repository: str,
      digest: str,
      findingId: str,
      severity: { type: 'string', enum: SEVERITIES },
      data: anyObject,
    },
  },
  {
    $id: 'Subscription',
    type: 'object',
    description: 'The signing secret is write-only: responses only say whether one is set.',
    properties: {
      id: int,
      name: str,
      kind: { type: 'string', enum: ['webhook', 'slack'] },
      url: str,
      hasSecret: bool,
      repositoryPattern: str,
      minSeverity: { type: 'string', enum: SEVERITIES },
      onlyFixable: bool,
      onlyKev: bool,
      createdAt: str,
    },
  },
  {
    $id: 'Delivery',
    type: 'object',
    properties: {
      id: int,
      subscriptionId: int,
      eventIds: { type: 'array', items: int },
      status: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
      attempts: int,
      responseStatus: int,
      lastError: str,
      createdAt: str,
      deliveredAt: str,
    },
  },
  {
    $id: 'Token',
    type: 'object',
    properties: { id: int, name: str, scope: { type: 'string', enum: ['read', 'admin'] }, createdAt: str, lastUsedAt: str },
  },
  {
    $id: 'RefreshResult',
    type: 'object',
    properties: {
      changed: bool,
      builtAt: str,
      rematched: { type: 'integer', description: 'Inventories re-matched (0 when nothing changed).' },
      events: { type: 'integer', description: 'Finding events the re-match produced.' },
      durationMs: { type: 'number' },
    },
  },
] as const;

export function registerSchemas(app: FastifyInstance): void {
  for (const s of schemas) app.addSchema(s);
}

/** The error responses a route documents, all with the Error shape. */
export function errors(...statuses: number[]): Record<number, { $ref: string; description: string }> {
  const text: Record<number, string> = {
    400: 'Bad input',
    401: 'Missing or invalid token',
    403: 'The token lacks the needed scope',
    404: 'Not found',
    413: 'Body too large',
    415: 'Unsupported content type',
    503: 'Unavailable',
  };
  return Object.fromEntries(statuses.map((s) => [s, { $ref: 'Error#', description: text[s] ?? 'Error' }]));
}

/** Errors every authenticated route may answer. */
export const AUTH_ERRORS = [401, 403] as const;
export const bearerSecurity = [{ bearerAuth: [] }];
