import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import type { AuthConfig } from '../config.js';
import { h, mount } from '../ui/dom.js';
import { type AuthProvider, isLive, type Session, sessionFromToken } from './auth.js';

type CognitoConfig = Extract<AuthConfig, { mode: 'cognito' }>;

/**
 * Cognito hosted UI, authorization code + PKCE, through oidc-client-ts (maintained, certified-style
 * OIDC client; PKCE and state/nonce checks are its job, not ours). Both its stores are sessionStorage:
 * the library's default state store is localStorage, which this dashboard never uses.
 */
export class CognitoAuth implements AuthProvider {
  readonly mode = 'cognito';
  private session: Session | undefined;
  private readonly manager: UserManager;

  constructor(private readonly config: CognitoConfig) {
    this.manager = new UserManager({
      authority: config.authority,
      client_id: config.clientId,
      redirect_uri: config.redirectUri,
      response_type: 'code',
      scope: 'openid email profile',
      userStore: new WebStorageStateStore({ store: window.sessionStorage }),
      stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
      // A front desk session is re-established through the hosted UI; no hidden iframes (CSP frame-src).
      automaticSilentRenew: false,
    });
  }

  async init(): Promise<Session | undefined> {
    const params = new URLSearchParams(window.location.search);
    if (params.has('code') && params.has('state')) {
      const user = await this.manager.signinRedirectCallback();
      // Drop ?code=&state= so a reload does not replay a spent code; keep the hash route.
      const returnTo = typeof user.state === 'string' && user.state.startsWith('#') ? user.state : '';
      window.history.replaceState(null, '', `${window.location.pathname}${returnTo}`);
    }
    const user = await this.manager.getUser();
    if (!user?.id_token) return undefined;
    const session = sessionFromToken(user.id_token, user.expires_at ? user.expires_at * 1000 : undefined);
    if (!isLive(session)) {
      await this.manager.removeUser();
      return undefined;
    }
    this.session = session;
    return session;
  }

  current(): Session | undefined {
    return isLive(this.session) ? this.session : undefined;
  }

  forget(): void {
    this.session = undefined;
    void this.manager.removeUser();
  }

  signIn(container: HTMLElement, notice?: string): Promise<Session> {
    return new Promise(() => {
      const go = () => void this.manager.signinRedirect({ state: window.location.hash || '#/board' });
      mount(
        container,
        h(
          'section',
          { class: 'login card', 'aria-labelledby': 'login-title' },
          h('h1', { id: 'login-title' }, 'Clinic backfill'),
          notice ? h('p', { class: 'notice', role: 'status' }, notice) : null,
          h('button', { type: 'button', class: 'btn btn-primary', on: { click: go } }, 'Sign in'),
        ),
      );
      container.querySelector('button')?.focus();
    });
  }

  async signOut(): Promise<void> {
    this.session = undefined;
    await this.manager.removeUser();
    // Cognito's logout endpoint is not in its discovery document, so end_session is built by hand.
    const url = new URL(`https://${this.config.domain}/logout`);
    url.searchParams.set('client_id', this.config.clientId);
    url.searchParams.set('logout_uri', this.config.redirectUri);
    window.location.assign(url.toString());
  }
}
