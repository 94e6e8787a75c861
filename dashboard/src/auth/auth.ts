/**
 * Authentication as the rest of the dashboard sees it. Two implementations: the local stack's role
 * picker (local-auth.ts) and Cognito's hosted UI with authorization code + PKCE (cognito-auth.ts).
 * Tokens live in memory, mirrored to sessionStorage at most so a reload in the same tab keeps the
 * session; never localStorage, which every tab and every later visitor of the machine would share.
 */

export type Role = 'staff' | 'admin';

export interface Session {
  /** Bearer token for the API (a Cognito ID token, or the local stack's token of the same shape). */
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  name: string;
  roles: Role[];
}

export interface AuthProvider {
  readonly mode: 'local' | 'cognito';
  /** At start: finish a sign-in redirect or restore this tab's session. */
  init(): Promise<Session | undefined>;
  /**
   * Shows the sign-in UI inside `container`. Resolves with a session when signing in happens in the page
   * (local); a redirecting provider never resolves (the page unloads and init() picks up on return).
   */
  signIn(container: HTMLElement, notice?: string): Promise<Session>;
  /** The current session, or undefined once it has expired. */
  current(): Session | undefined;
  /** Forgets the session (the API answered 401, or the user signed out). */
  forget(): void;
  signOut(): Promise<void>;
}

/** Reads claims for display only; the API's authorizer is what verifies the token. */
export function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload) return {};
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function sessionFromToken(token: string, expiresAt?: number): Session {
  const claims = claimsOf(token);
  const groups = Array.isArray(claims['cognito:groups']) ? claims['cognito:groups'] : [];
  const roles = groups.filter((g): g is Role => g === 'staff' || g === 'admin');
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : 0;
  const name =
    typeof claims.name === 'string'
      ? claims.name
      : typeof claims.email === 'string'
        ? claims.email
        : 'Signed in';
  return { token, expiresAt: expiresAt ?? exp, name, roles };
}

export function isLive(session: Session | undefined, now = Date.now()): session is Session {
  // A minute of margin: a token that dies mid-request would bounce the user for no reason.
  return session !== undefined && session.expiresAt - 60_000 > now;
}
