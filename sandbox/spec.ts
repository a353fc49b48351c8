import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * Slack publishes an OpenAPI (Swagger 2.0) description of the Web API. It is from 2020, so it is
 * incomplete and sometimes stale, but it is the only machine-readable source of which arguments a
 * method requires, and checking against it catches the "works against the fake, fails against
 * Slack" class of bug (e.g. forgetting `channel`).
 */

// The repo root is the parent of sandbox/, and shared/ sits next to the repo root.
const SPEC_PATH = fileURLToPath(
  new URL('../../shared/slack-api-specs/slack_web_openapi_v2_without_examples.json', import.meta.url),
);

const parameterSchema = z.object({
  name: z.string(),
  in: z.string(),
  required: z.boolean().optional(),
});
const operationSchema = z.object({ parameters: z.array(parameterSchema).optional() });
const specSchema = z.object({
  paths: z.record(z.string(), z.record(z.string(), operationSchema)),
});

export interface SpecParameter {
  name: string;
  /** Where the spec says it travels: 'formData', 'query' or 'header'. */
  in: string;
  required: boolean;
}

export interface SpecMethod {
  /** The HTTP verb the spec lists; Slack accepts POST for all of them in practice. */
  httpMethod: string;
  parameters: SpecParameter[];
}

export interface WebApiSpec {
  path: string;
  methods: Map<string, SpecMethod>;
}

/**
 * Methods Slack added after the 2020 spec was published. Their required arguments are copied from
 * the current method reference pages so they are still checked, just not against the JSON file.
 */
const NEWER_THAN_SPEC: ReadonlyMap<string, readonly string[]> = new Map([
  ['files.getUploadURLExternal', ['filename', 'length']],
  ['files.completeUploadExternal', ['files']],
]);

let cached: WebApiSpec | undefined;

export function loadWebApiSpec(): WebApiSpec {
  if (cached) return cached;
  let raw: string;
  try {
    raw = readFileSync(SPEC_PATH, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read Slack's Web API OpenAPI spec at ${SPEC_PATH}`, { cause: error });
  }
  const parsed = specSchema.parse(JSON.parse(raw));
  const methods = new Map<string, SpecMethod>();
  for (const [path, operations] of Object.entries(parsed.paths)) {
    const [httpMethod, operation] = Object.entries(operations)[0] ?? [];
    if (!httpMethod || !operation) continue;
    methods.set(path.replace(/^\//, ''), {
      httpMethod,
      parameters: (operation.parameters ?? []).map((p) => ({
        name: p.name,
        in: p.in,
        required: p.required === true,
      })),
    });
  }
  cached = { path: SPEC_PATH, methods };
  return cached;
}

export function isNewerThanSpec(method: string): boolean {
  return NEWER_THAN_SPEC.has(method);
}

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/**
 * Problems with one call, as human-readable strings (empty when the call looks fine). Only checks
 * that the method exists and that required arguments are present; it does not type-check values.
 */
export function checkCall(method: string, args: Record<string, unknown>): string[] {
  const newer = NEWER_THAN_SPEC.get(method);
  const required =
    newer ??
    loadWebApiSpec()
      .methods.get(method)
      // The token travels in the Authorization header, which is not part of args.
      ?.parameters.filter((p) => p.required && p.name !== 'token')
      .map((p) => p.name);
  if (!required) return [`${method}: not a method in Slack's Web API spec`];
  return required
    .filter((name) => !isPresent(args[name]))
    .map((name) => `${method}: missing required argument '${name}'`);
}
