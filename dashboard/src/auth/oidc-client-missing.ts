/**
 * Stand-in for oidc-client-ts while the package is not installed (vite.config.ts and tsconfig paths fall
 * back to this file only then). It mirrors the slice of the API cognito-auth.ts uses and fails loudly, so
 * local mode builds today and Cognito mode cannot silently run without the real library.
 */

const MISSING =
  'oidc-client-ts is not installed: run `npm install oidc-client-ts` and rebuild the dashboard.';

export class WebStorageStateStore {
  constructor(readonly options: { store: Storage }) {}
}

export interface User {
  id_token?: string;
  expires_at?: number;
  state?: unknown;
}

export interface UserManagerSettings {
  authority: string;
  client_id: string;
  redirect_uri: string;
  response_type: string;
  scope: string;
  userStore: WebStorageStateStore;
  stateStore: WebStorageStateStore;
  automaticSilentRenew: boolean;
}

export class UserManager {
  constructor(readonly settings: UserManagerSettings) {}
  signinRedirect(_args?: { state?: unknown }): Promise<void> {
    return Promise.reject(new Error(MISSING));
  }
  signinRedirectCallback(): Promise<User> {
    return Promise.reject(new Error(MISSING));
  }
  getUser(): Promise<User | null> {
    return Promise.reject(new Error(MISSING));
  }
  removeUser(): Promise<void> {
    return Promise.resolve();
  }
}
