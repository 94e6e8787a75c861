import { ADMIN_ROUTES, type AdminRoute } from '../../shared/admin/contract.js';

/**
 * Matches a request to an ADMIN_ROUTES entry. API Gateway hands every /admin path to this one function
 * (`ANY /admin/{proxy+}`), so routing happens here, from the same table the docs and tests use.
 */

interface CompiledRoute {
  route: AdminRoute;
  segments: string[];
}

const compiled: CompiledRoute[] = ADMIN_ROUTES.map((route) => ({
  route,
  segments: route.path.split('/').slice(1),
}));

export type RouteMatch =
  | { kind: 'MATCH'; route: AdminRoute; params: Record<string, string> }
  | { kind: 'METHOD_NOT_ALLOWED'; allowed: string[] }
  | { kind: 'NOT_FOUND' };

function matchPath(segments: string[], parts: string[]): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const pattern = segments[i] as string;
    const part = parts[i] as string;
    const variable = /^\{(\w+)\}$/.exec(pattern);
    if (variable?.[1]) {
      if (part === '') return undefined;
      params[variable[1]] = part;
    } else if (pattern !== part) return undefined;
  }
  return params;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    // A malformed escape stays as typed; the id schema then rejects it as a 400.
    return part;
  }
}

/**
 * The /admin part of the request path. A stage or a custom domain's base path may come before it in
 * rawPath, so everything before the first "/admin" segment is dropped.
 */
export function adminPath(rawPath: string): string {
  const index = rawPath.indexOf('/admin');
  return index >= 0 ? rawPath.slice(index) : rawPath;
}

export function matchRoute(method: string, rawPath: string): RouteMatch {
  const parts = adminPath(rawPath).replace(/\/+$/, '').split('/').slice(1).map(decode);
  const allowed: string[] = [];
  // Literal segments beat variables ("/admin/waitlist/import" before "/admin/waitlist/{patientId}/…"):
  // lengths differ here, so the only overlap is a literal against a variable, and literals are listed first.
  for (const { route, segments } of compiled) {
    const params = matchPath(segments, parts);
    if (!params) continue;
    if (route.method === method.toUpperCase()) return { kind: 'MATCH', route, params };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { kind: 'METHOD_NOT_ALLOWED', allowed } : { kind: 'NOT_FOUND' };
}
