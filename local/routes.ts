import type { Context } from 'aws-lambda';

/**
 * The HTTP API's routes as the CDK stack declares them, for the local gateway. Keep this list in step
 * with lib/ (route key, authorizer): the local stack is only useful while it mirrors AWS.
 */

/** A Lambda handler as the gateway calls it. The event is an API Gateway v2 payload. */
export type LambdaHandler = (event: never, context: Context) => unknown;

export interface RouteDefinition {
  /** `METHOD /path`, with `{name}` parameters and a final greedy `{name+}`, or `ANY` for every method. */
  routeKey: string;
  /** `JWT` routes go through the authorizer before the handler, as in the stack. */
  auth: 'NONE' | 'JWT';
  /** Shown in the Lambda context and logs, like the deployed function's name. */
  functionName: string;
  /**
   * Imports the handler on first use. Lazy on purpose: handlers read their configuration at cold start,
   * so they must load after the local stack has set process.env.
   */
  load: () => Promise<LambdaHandler>;
}

/** Takes `handler` out of an imported module, failing clearly when a module does not export one. */
export function handlerFrom(module: { handler?: unknown }, path: string): LambdaHandler {
  const { handler } = module;
  if (typeof handler !== 'function') throw new Error(`${path} does not export a function named handler`);
  return handler as LambdaHandler;
}

export const defaultRoutes: RouteDefinition[] = [
  {
    routeKey: 'GET /health',
    auth: 'NONE',
    functionName: 'clinic-backfill-health',
    load: async () =>
      handlerFrom(await import('../functions/health/handler.js'), 'functions/health/handler.ts'),
  },
  {
    routeKey: 'POST /sms/inbound',
    auth: 'NONE',
    functionName: 'clinic-backfill-sms-inbound',
    load: async () =>
      handlerFrom(await import('../functions/sms-inbound/handler.js'), 'functions/sms-inbound/handler.ts'),
  },
  {
    routeKey: 'POST /sms/status',
    auth: 'NONE',
    functionName: 'clinic-backfill-sms-status',
    load: async () =>
      handlerFrom(await import('../functions/sms-status/handler.js'), 'functions/sms-status/handler.ts'),
  },
  {
    routeKey: 'ANY /admin/{proxy+}',
    auth: 'JWT',
    functionName: 'clinic-backfill-admin-api',
    load: async () =>
      handlerFrom(await import('../functions/admin-api/handler.js'), 'functions/admin-api/handler.ts'),
  },
];

/** Where EventBridge Scheduler's target goes locally: the real scheduler-target handler. */
export async function loadSchedulerTarget(): Promise<LambdaHandler> {
  return handlerFrom(
    await import('../functions/scheduler-target/handler.js'),
    'functions/scheduler-target/handler.ts',
  );
}

export interface MatchedRoute {
  route: RouteDefinition;
  pathParameters: Record<string, string> | undefined;
}

interface CompiledRoute {
  route: RouteDefinition;
  method: string;
  segments: string[];
  greedy: boolean;
}

function compile(route: RouteDefinition): CompiledRoute {
  const [method, path] = route.routeKey.split(' ');
  if (!method || !path?.startsWith('/')) throw new Error(`Bad route key: ${route.routeKey}`);
  const segments = path.split('/').slice(1);
  const last = segments.at(-1) ?? '';
  return { route, method, segments, greedy: /^\{[^}]+\+\}$/.test(last) };
}

function matchSegments(compiled: CompiledRoute, parts: string[]): Record<string, string> | undefined | false {
  const params: Record<string, string> = {};
  const { segments, greedy } = compiled;
  const fixed = greedy ? segments.length - 1 : segments.length;
  // A greedy variable needs at least one segment: `/admin/{proxy+}` does not match `/admin`, as in AWS.
  if (greedy ? parts.length <= fixed : parts.length !== fixed) return false;
  for (let i = 0; i < fixed; i++) {
    const pattern = segments[i] ?? '';
    const part = parts[i] ?? '';
    const variable = /^\{([^}]+)\}$/.exec(pattern);
    if (variable?.[1]) {
      if (part === '') return false;
      params[variable[1]] = safeDecode(part);
    } else if (pattern !== part) return false;
  }
  if (greedy) {
    const name = (segments.at(-1) ?? '').slice(1, -2);
    params[name] = safeDecode(parts.slice(fixed).join('/'));
  }
  return Object.keys(params).length > 0 ? params : undefined;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Specificity as API Gateway ranks it: literal segments first, then variables, greedy last. */
function specificity(compiled: CompiledRoute): number {
  const literal = compiled.segments.filter((s) => !s.startsWith('{')).length;
  return literal * 100 + compiled.segments.length * 10 - (compiled.greedy ? 5 : 0);
}

export class RouteTable {
  private readonly compiled: CompiledRoute[];

  constructor(routes: RouteDefinition[]) {
    this.compiled = routes.map(compile).sort((a, b) => specificity(b) - specificity(a));
  }

  match(method: string, path: string): MatchedRoute | undefined {
    const parts = path.split('/').slice(1);
    // An exact method beats ANY at the same path, as in API Gateway.
    for (const wanted of [method.toUpperCase(), 'ANY']) {
      for (const compiled of this.compiled) {
        if (compiled.method !== wanted) continue;
        const params = matchSegments(compiled, parts);
        if (params !== false) return { route: compiled.route, pathParameters: params };
      }
    }
    return undefined;
  }
}
