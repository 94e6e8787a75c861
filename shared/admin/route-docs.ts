/**
 * Renders ADMIN_ROUTES as the Markdown route table of docs/admin-api.md: the docs are generated from the
 * same table as the router and the auth tests. Field lists come from each zod schema's JSON Schema
 * (input side, so defaults show as optional).
 */
import * as z from 'zod/mini';
import { ADMIN_ROUTES } from './contract.js';

type Json = {
  type?: string | string[];
  properties?: Record<string, Json>;
  required?: string[];
  items?: Json;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  minLength?: number;
  format?: string;
  anyOf?: Json[];
  default?: unknown;
  pattern?: string;
  maxItems?: number;
};

function typeOf(s: Json): string {
  if (s.enum) return s.enum.map((e) => `\`${String(e)}\``).join(' \\| ');
  if (s.anyOf)
    return (
      s.anyOf
        .map(typeOf)
        .filter((t) => t !== 'null')
        .join(' \\| ') + (s.anyOf.some((a) => a.type === 'null') ? ' \\| null' : '')
    );
  if (s.type === 'array') return `${typeOf(s.items ?? {})}[]${s.maxItems ? ` (≤ ${s.maxItems})` : ''}`;
  if (s.type === 'object') return 'object';
  let t = String(s.type ?? 'any');
  const bits: string[] = [];
  if (s.format) bits.push(s.format);
  if (s.minimum !== undefined || s.maximum !== undefined) bits.push(`${s.minimum ?? ''}-${s.maximum ?? ''}`);
  if (s.maxLength !== undefined) bits.push(`≤ ${s.maxLength} chars`);
  if (bits.length) t += ` (${bits.join(', ')})`;
  return t;
}

function fields(s: Json, prefix = '', out: string[] = []): string[] {
  for (const [name, prop] of Object.entries(s.properties ?? {})) {
    const required = (s.required ?? []).includes(name) && prop.default === undefined;
    out.push(`\`${prefix}${name}\`${required ? '' : '?'}: ${typeOf(prop)}`);
    if (prop.type === 'object' && prop.properties) fields(prop, `${prefix}${name}.`, out);
  }
  return out;
}

/** The route table of docs/admin-api.md, generated from ADMIN_ROUTES (a test keeps the doc in step). */
export function routeTableMarkdown(): string {
  const rows = ADMIN_ROUTES.map((r) => {
    const parts: string[] = [];
    for (const key of ['query', 'body'] as const) {
      const schema = (r as Record<string, unknown>)[key] as z.ZodMiniType | undefined;
      if (!schema) continue;
      const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
      const f = fields(json);
      parts.push(`${key}: ${f.length ? f.join('; ') : '(empty)'}`);
    }
    if ('bodyType' in r && r.bodyType === 'csv') parts.push('body: `text/csv` (see CSV import)');
    if ('responseType' in r && r.responseType === 'csv') parts.push('response: `text/csv`');
    return `| \`${r.method} ${r.path}\` | ${r.role} | ${r.summary} | ${parts.join('<br>') || '—'} |`;
  });
  return ['| route | role | what it does | input |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
