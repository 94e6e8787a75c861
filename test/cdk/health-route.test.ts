import { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { resourcesOfType, type Synthesized, synthBackfill } from './synth.js';

/**
 * GET /health for uptime checks: no authorizer (a monitor has no staff token), its own tiny function
 * that reaches nothing (no table, no secret, no scheduler), so a public caller learns only "up".
 */

let synth: Synthesized;
let stateless: Template;

beforeAll(() => {
  synth = synthBackfill();
  stateless = synth.template('stateless');
});

const logicalIdOf = (construct: { node: { defaultChild?: unknown } }) =>
  Stack.of(construct as never).getLogicalId(construct.node.defaultChild as never);

describe('GET /health', () => {
  it('is a route with no authorizer, integrated with the health function', () => {
    const routes = resourcesOfType(stateless, 'AWS::ApiGatewayV2::Route').map(
      ([, r]) => r.Properties as Record<string, unknown>,
    );
    const health = routes.filter((r) => String(r.RouteKey).endsWith(' /health'));
    expect(health.map((r) => r.RouteKey)).toEqual(['GET /health']);
    expect(health[0]?.AuthorizerId).toBeUndefined();
    expect(health[0]?.AuthorizationType ?? 'NONE').toBe('NONE');

    const fn = synth.stateless.healthFunction;
    expect(fn).toBeDefined();
    // Target is "integrations/<IntegrationId>", written as a Join around a Ref.
    const target = health[0]?.Target as { 'Fn::Join': [string, unknown[]] } | undefined;
    const ref = target?.['Fn::Join'][1].find((part) => typeof part === 'object') as { Ref: string };
    const integration = stateless.toJSON().Resources[ref.Ref].Properties;
    expect(JSON.stringify(integration.IntegrationUri)).toContain(logicalIdOf(fn as never));
  });

  it('its function reaches nothing: no table, secret or scheduler grant, no clinic settings', () => {
    const fn = synth.stateless.healthFunction;
    const roleId = Stack.of(fn as never).getLogicalId(fn?.role?.node.defaultChild as never);
    const actions = resourcesOfType(stateless, 'AWS::IAM::Policy')
      .filter(([, p]) => ((p.Properties?.Roles as { Ref?: string }[]) ?? []).some((r) => r.Ref === roleId))
      .flatMap(
        ([, p]) =>
          (p.Properties?.PolicyDocument as { Statement: { Action: string | string[] }[] } | undefined)
            ?.Statement ?? [],
      )
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions.filter((a) => !a.startsWith('logs:'))).toEqual([]);
    const props = stateless.toJSON().Resources[logicalIdOf(fn as never)].Properties as {
      Environment?: { Variables?: Record<string, unknown> };
      MemorySize: number;
    };
    expect(Object.keys(props.Environment?.Variables ?? {})).not.toContain('TABLE_NAME');
    expect(Object.keys(props.Environment?.Variables ?? {})).not.toContain('TWILIO_AUTH_TOKEN_SECRET_ARN');
    expect(props.MemorySize).toBe(128);
  });
});
