import { h, mount } from '../ui/dom.js';
import { type AuthProvider, isLive, type Role, type Session, sessionFromToken } from './auth.js';

/**
 * The local stack's login: `POST /local/login {role, name?}` returns a token signed by the key the local
 * gateway verifies with. The storage key is the one the stack's own /local/login page writes, so signing
 * in there works here too.
 */
export const LOCAL_TOKEN_KEY = 'clinic-backfill.token';

interface LoginResponse {
  token: string;
  expiresAt: string;
}

function isLoginResponse(value: unknown): value is LoginResponse {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.token === 'string' && typeof v.expiresAt === 'string';
}

export class LocalAuth implements AuthProvider {
  readonly mode = 'local';
  private session: Session | undefined;

  constructor(private readonly apiUrl: string) {}

  async init(): Promise<Session | undefined> {
    const stored = sessionStorage.getItem(LOCAL_TOKEN_KEY);
    if (!stored) return undefined;
    const session = sessionFromToken(stored);
    if (!isLive(session)) {
      sessionStorage.removeItem(LOCAL_TOKEN_KEY);
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
    sessionStorage.removeItem(LOCAL_TOKEN_KEY);
  }

  async signOut(): Promise<void> {
    this.forget();
  }

  signIn(container: HTMLElement, notice?: string): Promise<Session> {
    return new Promise((resolve) => {
      const nameInput = h('input', { id: 'login-name', name: 'name', maxlength: '60', autocomplete: 'name' });
      const status = h('p', { class: 'form-error', role: 'alert' });
      const login = async (role: Role) => {
        status.textContent = '';
        try {
          const name = nameInput.value.trim();
          const response = await fetch(`${this.apiUrl}/local/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(name ? { role, name } : { role }),
          });
          const body: unknown = await response.json().catch(() => undefined);
          if (!response.ok || !isLoginResponse(body)) {
            const message =
              typeof body === 'object' && body !== null && 'message' in body ? String(body.message) : '';
            throw new Error(message || `HTTP ${response.status}`);
          }
          const session = sessionFromToken(body.token, Date.parse(body.expiresAt));
          this.session = session;
          sessionStorage.setItem(LOCAL_TOKEN_KEY, body.token);
          resolve(session);
        } catch (error) {
          status.textContent = `Sign-in failed: ${error instanceof Error ? error.message : String(error)}. Is the local stack running (npm start)?`;
        }
      };
      const roleButton = (role: Role, label: string) =>
        h(
          'button',
          {
            type: 'button',
            class: 'btn btn-primary',
            'data-role': role,
            on: { click: () => void login(role) },
          },
          label,
        );
      mount(
        container,
        h(
          'section',
          { class: 'login card', 'aria-labelledby': 'login-title' },
          h('h1', { id: 'login-title' }, 'Clinic backfill'),
          notice ? h('p', { class: 'notice', role: 'status' }, notice) : null,
          h('p', null, 'Local mode: choose a role. In AWS, this is the clinic’s Cognito sign-in.'),
          h('div', { class: 'field' }, h('label', { for: 'login-name' }, 'Your name (optional)'), nameInput),
          h(
            'div',
            { class: 'row' },
            roleButton('staff', 'Sign in as staff'),
            roleButton('admin', 'Sign in as admin'),
          ),
          status,
        ),
      );
      container.querySelector<HTMLButtonElement>('button[data-role="staff"]')?.focus();
    });
  }
}
