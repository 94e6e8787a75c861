/**
 * Runtime configuration, fetched from `config.json` next to index.html. It is not baked into the build so
 * that one set of built files runs against the local stack and, unchanged, behind CloudFront (where the
 * CDK stack writes config.json with the API URL and the Cognito client).
 */

export type AuthConfig =
  | { mode: 'local' }
  | { mode: 'cognito'; authority: string; clientId: string; redirectUri: string; domain: string };

export interface RuntimeConfig {
  /** API origin, without a trailing slash; '' means the dashboard's own origin (local gateway). */
  apiUrl: string;
  auth: AuthConfig;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function str(source: Record<string, unknown>, key: string, where: string): string {
  const value = source[key];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(`config.json: ${where}${key} must be a non-empty string`);
  }
  return value.trim();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Hand-written rather than zod: it is twelve lines, and zod would be most of the bundle. */
export function parseConfig(raw: unknown): RuntimeConfig {
  if (!isRecord(raw)) throw new ConfigError('config.json must be a JSON object');
  const apiUrl = typeof raw.apiUrl === 'string' ? raw.apiUrl.trim().replace(/\/+$/, '') : '';
  if (apiUrl !== '' && !/^https?:\/\//.test(apiUrl)) {
    throw new ConfigError('config.json: apiUrl must be an http(s) URL or empty');
  }
  const auth = raw.auth;
  if (!isRecord(auth)) throw new ConfigError('config.json: auth is missing');
  if (auth.mode === 'local') return { apiUrl, auth: { mode: 'local' } };
  if (auth.mode === 'cognito') {
    return {
      apiUrl,
      auth: {
        mode: 'cognito',
        authority: str(auth, 'authority', 'auth.'),
        clientId: str(auth, 'clientId', 'auth.'),
        redirectUri: str(auth, 'redirectUri', 'auth.'),
        domain: str(auth, 'domain', 'auth.'),
      },
    };
  }
  throw new ConfigError('config.json: auth.mode must be "local" or "cognito"');
}

export async function loadConfig(): Promise<RuntimeConfig> {
  // no-store: a redeploy that changes the API URL must not be hidden by a cached copy.
  const response = await fetch('./config.json', { cache: 'no-store' });
  if (!response.ok) throw new ConfigError(`config.json could not be loaded (HTTP ${response.status})`);
  return parseConfig(await response.json());
}
