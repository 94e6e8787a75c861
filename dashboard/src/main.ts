import './styles.css';
import { App } from './app.js';
import type { AuthProvider } from './auth/auth.js';
import { LocalAuth } from './auth/local-auth.js';
import { loadConfig } from './config.js';
import { h, mount } from './ui/dom.js';

async function boot(): Promise<void> {
  const root = document.getElementById('app');
  if (!root) return;
  try {
    const config = await loadConfig();
    // Cognito's client (oidc-client-ts) is loaded only in Cognito mode: the local build does not ship it.
    const auth: AuthProvider =
      config.auth.mode === 'local'
        ? new LocalAuth(config.apiUrl)
        : new (await import('./auth/cognito-auth.js')).CognitoAuth(config.auth);
    await new App(root, config, auth).start();
  } catch (error) {
    mount(
      root,
      h(
        'section',
        { class: 'card login', role: 'alert' },
        h('h1', null, 'The dashboard could not start'),
        h('p', null, error instanceof Error ? error.message : String(error)),
      ),
    );
  }
}

void boot();
