import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalAuth } from '../../local/auth.js';
import { type RunningGateway, startGateway } from '../../local/gateway.js';
import { defaultRoutes } from '../../local/routes.js';

/** The real health handler behind the local gateway with the stack's own route table. */
let gateway: RunningGateway;

beforeAll(async () => {
  gateway = await startGateway({ routes: defaultRoutes, auth: await createLocalAuth() });
});
afterAll(() => gateway.close());

describe('GET /health through the local gateway', () => {
  it('answers 200 {"ok":true} without a token, and nothing else', async () => {
    const response = await fetch(`${gateway.url}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.text()).toBe('{"ok":true}');
  });

  it('is GET only, as the route in the stack', async () => {
    const response = await fetch(`${gateway.url}/health`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
  });
});
