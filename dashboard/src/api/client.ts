/**
 * The one way the dashboard talks to the admin API: bearer token, JSON in and out, and every failure
 * turned into an ApiError whose message a person at the front desk can read. A 401 is not shown as an
 * error at all: it ends the session and the app returns to sign-in, keeping any unsaved form input.
 */

export interface FieldProblem {
  field: string;
  message: string;
}

/** A CSV import's bad cell; `row` is the spreadsheet row (header = 1). */
export interface RowProblem {
  row: number;
  field: string;
  message: string;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldProblem[] = [],
    readonly rows: RowProblem[] = [],
  ) {
    super(message);
  }

  /** One line for a banner: the message and, for validation errors, which fields are wrong. */
  get readable(): string {
    if (this.fields.length === 0) return this.message;
    return `${this.message} (${this.fields.map((f) => `${f.field}: ${f.message}`).join('; ')})`;
  }
}

/** Thrown after a 401 once the session has been dropped; views ignore it (sign-in takes over). */
export class SessionExpiredError extends ApiError {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fieldsFrom(raw: unknown): FieldProblem[] {
  // The contract sends a map {"entry.boostReason": "message"}; a list is read too, to be lenient.
  if (Array.isArray(raw)) {
    return raw.flatMap((item) => {
      if (!isRecord(item)) return [];
      const name = item.field ?? item.path;
      return [
        {
          field: Array.isArray(name) ? name.join('.') : String(name ?? ''),
          message: String(item.message ?? 'invalid'),
        },
      ];
    });
  }
  if (isRecord(raw)) {
    return Object.entries(raw).map(([field, message]) => ({
      field,
      message: Array.isArray(message) ? message.join(', ') : String(message),
    }));
  }
  return [];
}

function rowsFrom(raw: unknown): RowProblem[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(isRecord).map((r) => ({
    row: Number(r.row),
    field: String(r.field ?? ''),
    message: String(r.message ?? 'invalid'),
  }));
}

const STATUS_TEXT: Record<number, string> = {
  400: 'The request was not accepted',
  403: 'Your role does not allow this',
  404: 'Not found',
  409: 'That changed in the meantime; refresh and try again',
  413: 'That is too large',
  429: 'Too many requests; slowing down',
  500: 'The server had a problem',
  502: 'The server could not be reached',
  503: 'The service is unavailable',
};

export async function errorFromResponse(response: Response): Promise<ApiError> {
  const body: unknown = await response.json().catch(() => undefined);
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const fallback = STATUS_TEXT[response.status] ?? `Request failed (HTTP ${response.status})`;
  if (error) {
    return new ApiError(
      response.status,
      String(error.code ?? response.status),
      typeof error.message === 'string' && error.message !== '' ? error.message : fallback,
      fieldsFrom(error.fields),
      rowsFrom(error.errors),
    );
  }
  // API Gateway's own answers (authorizer, throttling) are `{"message": "..."}`.
  const message = isRecord(body) && typeof body.message === 'string' ? body.message : fallback;
  return new ApiError(response.status, String(response.status), message);
}

export interface ApiClientOptions {
  baseUrl: string;
  token: () => string | undefined;
  onUnauthorized: () => void;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export class ApiClient {
  constructor(private readonly options: ApiClientOptions) {}

  url(path: string, query?: Query): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
    }
    const qs = params.toString();
    return `${this.options.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  async raw(
    method: string,
    path: string,
    init: { query?: Query; body?: BodyInit; contentType?: string } = {},
  ) {
    const token = this.options.token();
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (init.contentType) headers['content-type'] = init.contentType;
    let response: Response;
    try {
      response = await fetch(this.url(path, init.query), {
        method,
        headers,
        ...(init.body !== undefined ? { body: init.body } : {}),
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'The API could not be reached. Check the connection; retrying.');
    }
    if (response.status === 401) {
      this.options.onUnauthorized();
      throw new SessionExpiredError(401, 'UNAUTHORIZED', 'Your session has ended. Please sign in again.');
    }
    if (!response.ok) throw await errorFromResponse(response);
    return response;
  }

  async get<T>(path: string, query?: Query): Promise<T> {
    const response = await this.raw('GET', path, query ? { query } : {});
    return (await response.json()) as T;
  }

  async send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const response = await this.raw(
      method,
      path,
      body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' },
    );
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async text(
    method: 'GET' | 'POST',
    path: string,
    body?: string,
    contentType = 'text/csv',
  ): Promise<Response> {
    return this.raw(method, path, body === undefined ? {} : { body, contentType });
  }
}

export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.readable;
  if (error instanceof Error) return error.message;
  return String(error);
}
