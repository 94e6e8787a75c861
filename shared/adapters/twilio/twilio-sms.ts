import { setTimeout as sleepFor } from 'node:timers/promises';
import BaseTwilio from 'twilio/lib/base/BaseTwilio.js';
import * as DomainModule from 'twilio/lib/base/Domain.js';
import RequestClient from 'twilio/lib/base/RequestClient.js';
import * as VersionModule from 'twilio/lib/base/Version.js';
import {
  MessageListInstance,
  type MessageListInstance as Messages,
} from 'twilio/lib/rest/api/v2010/account/message.js';
import { type OutboundSms, type SmsPort, type SmsReceipt, SmsSendError } from '../../ports.js';

/**
 * The SMS port on Twilio's Messages API, through the real SDK. The SDK's package root pulls in every
 * Twilio product (3.75 MB minified, ~118 ms of cold start); we build the same objects the root builds
 * for `client.messages` (the SDK's base client, its request client, the 2010-04-01 API version and the
 * Messages resource) from the package's own modules, which costs about a tenth of that. Webhook
 * functions import none of this (they use signature.ts alone).
 *
 * Retries are ours, bounded and counted here (the SDK's own autoRetry stays off so attempts are not
 * multiplied): 429, 5xx and timeouts/network failures are retried with full-jitter exponential backoff;
 * any other 4xx is final. Caveat: the Messages API has no idempotency key, so a timeout after Twilio
 * accepted the request can, rarely, send the text twice; keeping the attempts low bounds that.
 *
 * Errors leave as SmsSendError with Twilio's numeric code (or HTTP_<status>, TIMEOUT, NETWORK) and no
 * text from Twilio or axios: both can echo the recipient's number or the message body.
 */

/**
 * Domain.js and Version.js are CommonJS with `exports.default`; depending on the loader (Node's ESM,
 * tsx, esbuild) a default import yields the class or `{ default: class }`. Unwrap either.
 */
function cjsDefault<T>(module: { default: unknown }): T {
  const first = module.default as { default?: unknown };
  return (typeof first === 'function' ? first : first.default) as T;
}
const Domain = cjsDefault<typeof DomainModule.default.default>(DomainModule);
const Version = cjsDefault<typeof VersionModule.default.default>(VersionModule);

/** Codes that say "this recipient cannot get this text", so the engine must not try them again. */
export const PERMANENT_ERROR_CODES: ReadonlySet<number> = new Set([
  21610, // recipient replied STOP: opted out until START
  30006, // landline or unreachable carrier
  21211, // invalid 'To' number
  21614, // 'To' number is not a mobile number
]);

const RETRYABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNABORTED',
  'ETIMEDOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ERR_NETWORK',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

export interface TwilioSmsOptions {
  accountSid: string;
  authToken: string;
  /** PUBLIC_API_URL: status callbacks go to `${publicApiUrl}/sms/status?m=<messageId>`. */
  publicApiUrl: string;
  /** Preferred sender: lets Twilio pick the number and apply the campaign's opt-out handling. */
  messagingServiceSid?: string;
  /** Used only when no Messaging Service SID is set. */
  from?: string;
  /** Total attempts per send, the first included. Default 3. */
  maxAttempts?: number;
  /** Per-request timeout. Default 5000 ms: Lambda time is billed and a batch waits on each send. */
  requestTimeoutMs?: number;
  /** Backoff before retry n is random(0, min(maxDelayMs, baseDelayMs * 2^(n-1))). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** TWILIO_API_BASE_URL: send to another origin (local mode's fake Twilio, tests). */
  apiBaseUrl?: string;
  /** Seams for tests. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Called before each retry; carries no PII, meant for logs and metrics. */
  onRetry?: (info: { attempt: number; delayMs: number; code: string }) => void;
}

/** Sends every request to `baseUrl`'s origin, keeping Twilio's path and query. */
export function rebasedRequestClient(baseUrl: string, timeoutMs: number): RequestClient {
  const origin = new URL(baseUrl).origin;
  class RebasedRequestClient extends RequestClient {
    override request<TData>(opts: RequestClient.RequestOptions<TData>) {
      const target = new URL(opts.uri);
      return super.request({ ...opts, uri: `${origin}${target.pathname}${target.search}` });
    }
  }
  return new RebasedRequestClient({ timeout: timeoutMs, keepAlive: true });
}

interface Failure {
  code: string;
  retryable: boolean;
  permanent: boolean;
}

export class TwilioSms implements SmsPort {
  private readonly messages: Messages;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: TwilioSmsOptions) {
    if (!options.accountSid || !options.authToken) {
      throw new Error('TwilioSms: TWILIO_ACCOUNT_SID and the auth token are required');
    }
    if (!options.messagingServiceSid && !options.from) {
      throw new Error('TwilioSms: set TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER');
    }
    const timeout = options.requestTimeoutMs ?? 5_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.maxDelayMs = options.maxDelayMs ?? 2_000;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? ((ms) => sleepFor(ms));
    const httpClient = options.apiBaseUrl
      ? rebasedRequestClient(options.apiBaseUrl, timeout)
      : new RequestClient({ timeout, keepAlive: true });
    // Built once per container (module-level in the handler), never per message.
    const client = new BaseTwilio.Client(options.accountSid, options.authToken, {
      httpClient,
      autoRetry: false,
    });
    const api2010 = new Version(new Domain(client, 'https://api.twilio.com'), '2010-04-01');
    this.messages = MessageListInstance(
      api2010 as unknown as Parameters<typeof MessageListInstance>[0],
      options.accountSid,
    );
  }

  /** `${publicApiUrl}/sms/status?m=<messageId>`: the id lets the status handler find the record by key. */
  statusCallbackUrl(messageId: string): string {
    return `${this.options.publicApiUrl.replace(/\/+$/, '')}/sms/status?m=${encodeURIComponent(messageId)}`;
  }

  async send(message: OutboundSms): Promise<SmsReceipt> {
    const sender = this.options.messagingServiceSid
      ? { messagingServiceSid: this.options.messagingServiceSid }
      : { from: this.options.from as string };
    for (let attempt = 1; ; attempt++) {
      try {
        const created = await this.messages.create({
          to: message.to,
          body: message.body,
          statusCallback: this.statusCallbackUrl(message.messageId),
          ...sender,
        });
        return { providerSid: created.sid, status: created.status };
      } catch (error) {
        const failure = classify(error);
        if (!failure.retryable || attempt >= this.maxAttempts) {
          throw new SmsSendError(
            `Twilio send failed: ${failure.code} after ${attempt} attempt(s)`,
            failure.code,
            failure.permanent,
          );
        }
        const cap = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
        const delayMs = Math.floor(this.random() * cap);
        this.options.onRetry?.({ attempt, delayMs, code: failure.code });
        await this.sleep(delayMs);
      }
    }
  }
}

function classify(error: unknown): Failure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    status?: unknown;
    code?: unknown;
    isAxiosError?: unknown;
  };
  if (typeof e.status === 'number') {
    // RestException / TwilioServiceException: Twilio answered.
    const twilioCode = typeof e.code === 'number' ? e.code : undefined;
    const retryable = e.status === 429 || e.status >= 500;
    return {
      code: twilioCode !== undefined ? String(twilioCode) : `HTTP_${e.status}`,
      retryable,
      permanent: !retryable && twilioCode !== undefined && PERMANENT_ERROR_CODES.has(twilioCode),
    };
  }
  if (typeof e.code === 'string' && RETRYABLE_NETWORK_CODES.has(e.code)) {
    const timeout = e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT';
    return { code: timeout ? 'TIMEOUT' : 'NETWORK', retryable: true, permanent: false };
  }
  // Anything else is a bug or a misconfiguration on our side; retrying would not help.
  return { code: 'UNEXPECTED', retryable: false, permanent: false };
}
