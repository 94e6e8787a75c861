import type { ApiClient } from '../api/client.js';
import type { ClinicSettings, Role } from '../api/types.js';

export interface Notifier {
  /** A persistent, readable problem (role=alert). */
  error(message: string): void;
  /** A short confirmation (role=status). */
  info(message: string): void;
  clear(): void;
  /** The "updated at / retrying in" line for the polling views. */
  freshness(text: string, stale: boolean): void;
}

export interface ViewContext {
  api: ApiClient;
  roles: Role[];
  userName: string;
  /** From GET /admin/me: every time shown or typed is in `clinic.timeZone`. */
  clinic: ClinicSettings;
  notify: Notifier;
  navigate(hash: string): void;
}

/** A view renders into its container and returns its cleanup (stop polling, drop timers). */
export type View = (container: HTMLElement, ctx: ViewContext, params: Record<string, string>) => () => void;
