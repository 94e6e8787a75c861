import { ApiClient, describeError, SessionExpiredError } from './api/client.js';
import type { ClinicSettings, MeResponse, Role } from './api/types.js';
import type { AuthProvider, Session } from './auth/auth.js';
import type { RuntimeConfig } from './config.js';
import { h, mount } from './ui/dom.js';
import { clearAllDrafts } from './ui/drafts.js';
import { setClinicTimeZone } from './ui/format.js';
import { analyticsView } from './views/analytics.js';
import { auditView } from './views/audit.js';
import { boardView } from './views/board.js';
import { clinicView } from './views/clinic.js';
import { messagesView } from './views/messages.js';
import { patientView } from './views/patient.js';
import { slotView } from './views/slot.js';
import type { Notifier, View, ViewContext } from './views/view.js';
import { waitlistView } from './views/waitlist.js';

interface Route {
  pattern: RegExp;
  keys: string[];
  view: View;
  title: string;
  nav?: string;
  adminOnly?: boolean;
  /** What a refused staff member may ask an admin for. */
  askFor?: string;
}

const ROUTES: Route[] = [
  { pattern: /^\/board$/, keys: [], view: boardView, title: 'Live board', nav: 'Live board' },
  { pattern: /^\/slots\/([^/]+)$/, keys: ['slotId'], view: slotView, title: 'Slot' },
  { pattern: /^\/waitlist$/, keys: [], view: waitlistView, title: 'Waitlist', nav: 'Waitlist' },
  { pattern: /^\/patients\/([^/]+)$/, keys: ['patientId'], view: patientView, title: 'Patient' },
  { pattern: /^\/messages$/, keys: [], view: messagesView, title: 'Messages', nav: 'Messages' },
  { pattern: /^\/analytics$/, keys: [], view: analyticsView, title: 'Analytics', nav: 'Analytics' },
  {
    pattern: /^\/audit$/,
    keys: [],
    view: auditView,
    title: 'Audit log',
    nav: 'Audit',
    adminOnly: true,
    askFor: 'something from the audit log',
  },
  {
    pattern: /^\/clinic$/,
    keys: [],
    view: clinicView,
    title: 'Clinic',
    nav: 'Clinic',
    adminOnly: true,
    askFor: 'a provider or location added or changed',
  },
];

const NAV_HASH: Record<string, string> = {
  'Live board': '#/board',
  Waitlist: '#/waitlist',
  Messages: '#/messages',
  Analytics: '#/analytics',
  Audit: '#/audit',
  Clinic: '#/clinic',
};

/**
 * The shell: sign-in, navigation (hash routes, so CloudFront needs no rewrite rules), one view at a time,
 * and the banner every view reports into. A 401 from anywhere drops the session and shows sign-in in
 * place; the current route and unsaved form drafts survive and come back after signing in.
 */
export class App {
  private session: Session | undefined;
  private roles: Role[] = [];
  private clinic: ClinicSettings | undefined;
  private cleanup: (() => void) | undefined;
  private readonly api: ApiClient;
  private signingIn = false;

  constructor(
    private readonly root: HTMLElement,
    config: RuntimeConfig,
    private readonly auth: AuthProvider,
  ) {
    this.api = new ApiClient({
      baseUrl: config.apiUrl,
      token: () => this.auth.current()?.token,
      onUnauthorized: () =>
        this.sessionEnded('Your session has ended. Sign in again to continue; what you typed is kept.'),
    });
  }

  async start(): Promise<void> {
    window.addEventListener('hashchange', () => {
      if (this.session) this.route();
    });
    let session: Session | undefined;
    try {
      session = await this.auth.init();
    } catch (error) {
      await this.signIn(`Sign-in did not complete: ${describeError(error)}`);
      return;
    }
    if (session) await this.enter(session);
    else await this.signIn();
  }

  private async signIn(notice?: string): Promise<void> {
    if (this.signingIn) return;
    this.signingIn = true;
    this.cleanup?.();
    this.cleanup = undefined;
    this.session = undefined;
    document.title = 'Sign in · Clinic backfill';
    const session = await this.auth.signIn(this.root, notice);
    this.signingIn = false;
    await this.enter(session);
  }

  private sessionEnded(notice: string): void {
    this.auth.forget();
    void this.signIn(notice);
  }

  private async enter(session: Session): Promise<void> {
    this.session = session;
    this.roles = session.roles;
    // /admin/me is the authority on roles (the token's groups are only read for display), and the only
    // source of the clinic's time zone: without it no view renders, since a time shown or typed in the
    // device's zone would be texted to patients as a different time.
    try {
      const me = await this.api.get<MeResponse>('/admin/me');
      if (Array.isArray(me.roles)) this.roles = me.roles;
      setClinicTimeZone(me.clinic.timeZone);
      this.clinic = me.clinic;
    } catch (error) {
      if (error instanceof SessionExpiredError) return;
      this.clinicUnavailable(session, describeError(error));
      return;
    }
    this.route();
  }

  private clinicUnavailable(session: Session, reason: string): void {
    document.title = 'Clinic backfill';
    mount(
      this.root,
      h(
        'main',
        { class: 'main' },
        h(
          'section',
          { class: 'card refusal', role: 'alert', 'aria-labelledby': 'clinic-unavailable' },
          h('h1', { id: 'clinic-unavailable' }, 'Could not load the clinic’s settings'),
          h('p', null, `The dashboard needs the clinic’s time zone before it shows any time. ${reason}`),
          h(
            'button',
            { type: 'button', class: 'btn btn-primary', on: { click: () => void this.enter(session) } },
            'Try again',
          ),
        ),
      ),
    );
  }

  private route(): void {
    const path = window.location.hash.replace(/^#/, '') || '/board';
    const match = ROUTES.map((r) => ({ r, m: r.pattern.exec(path) })).find((x) => x.m);
    if (!match?.m) {
      window.location.hash = '#/board';
      return;
    }
    const params: Record<string, string> = {};
    match.r.keys.forEach((key, i) => {
      params[key] = decodeURIComponent(match.m?.[i + 1] ?? '');
    });
    this.render(match.r, params);
  }

  private render(route: Route, params: Record<string, string>): void {
    this.cleanup?.();
    this.cleanup = undefined;
    const session = this.session;
    const clinic = this.clinic;
    if (!session || !clinic) return;
    document.title = `${route.title} · Clinic backfill`;

    const banner = h('div', { class: 'banner', role: 'alert', hidden: true });
    const status = h('div', { class: 'toast', role: 'status', 'aria-live': 'polite' });
    const fresh = h('span', { class: 'freshness', 'aria-live': 'off' });
    let toastTimer: ReturnType<typeof setTimeout> | undefined;
    const notify: Notifier = {
      error(message) {
        banner.textContent = message;
        banner.hidden = false;
      },
      info(message) {
        status.textContent = message;
        clearTimeout(toastTimer);
        toastTimer = setTimeout(() => {
          status.textContent = '';
        }, 5000);
      },
      clear() {
        banner.hidden = true;
        banner.textContent = '';
      },
      freshness(text, stale) {
        fresh.textContent = text;
        fresh.classList.toggle('stale', stale);
      },
    };

    const isAdmin = this.roles.includes('admin');
    const current = window.location.hash || '#/board';
    const nav = h(
      'nav',
      { class: 'nav', 'aria-label': 'Main' },
      h(
        'ul',
        null,
        ROUTES.filter((r) => r.nav).map((r) => {
          const href = NAV_HASH[r.nav ?? ''] ?? '#/board';
          const active = current.startsWith(href) || (route === r && true);
          return h(
            'li',
            null,
            h(
              'a',
              { href, class: ['nav-link', active && 'active'], 'aria-current': active ? 'page' : undefined },
              r.nav ?? '',
              r.adminOnly && !isAdmin ? h('span', { class: 'lock' }, 'admins') : null,
            ),
          );
        }),
      ),
    );
    const main = h('main', { id: 'main', class: 'main', tabindex: '-1' });
    mount(
      this.root,
      h(
        'a',
        {
          href: '#main',
          class: 'skip',
          on: {
            click: (e) => {
              e.preventDefault();
              main.focus();
            },
          },
        },
        'Skip to content',
      ),
      h(
        'header',
        { class: 'topbar' },
        h('span', { class: 'brand' }, 'Clinic backfill'),
        nav,
        h(
          'div',
          { class: 'who' },
          fresh,
          h(
            'span',
            { class: 'user' },
            session.name,
            h('span', { class: 'role-tag' }, isAdmin ? 'admin' : 'staff'),
          ),
          h(
            'button',
            {
              type: 'button',
              class: 'btn btn-ghost',
              on: {
                click: () => {
                  clearAllDrafts();
                  void this.auth.signOut().then(() => this.signIn('Signed out.'));
                },
              },
            },
            'Sign out',
          ),
        ),
      ),
      banner,
      status,
      main,
    );

    const ctx: ViewContext = {
      api: this.api,
      roles: this.roles,
      userName: session.name,
      clinic,
      notify,
      navigate: (hash) => {
        window.location.hash = hash;
      },
    };
    if (route.adminOnly && !isAdmin) {
      mount(
        main,
        h(
          'section',
          { class: 'card refusal', 'aria-labelledby': 'refusal-title' },
          h('h1', { id: 'refusal-title' }, route.title),
          h('p', null, 'This view is for admins only. Your role (staff) does not include it.'),
          h('p', null, `Ask a clinic admin if you need ${route.askFor ?? 'anything here'}.`),
        ),
      );
      return;
    }
    this.cleanup = route.view(main, ctx, params);
  }
}
