/**
 * What every console screen is given, and the only way it reaches the service: the public API with the signed-in
 * user's token. Screens live in `screens/<role>/`, each a Preact component taking `ScreenProps`, with its own
 * strings in kk, ru and en; the shell (`main.tsx`) owns sign-in, the language choice, navigation and the token.
 */

/** The console's languages; the reader's choice is remembered by the shell. */
export type ConsoleLang = 'kk' | 'ru' | 'en';

/** The roles the service knows (the token's role claim). */
export type ConsoleRole = 'ministry' | 'auditor' | 'operator' | 'compliance';

/**
 * Who is signed in, as the token says; a ministry user also has their ministry code. `subject` is the token's `sub`
 * (the identity four-eyes rules compare), when it has one.
 */
export interface ConsoleSession {
  role: ConsoleRole;
  ministry?: string;
  subject?: string;
}

/** One API answer: the parsed JSON body (a problem+json document when `ok` is false), or raw bytes when asked. */
export interface ApiResult<T = unknown> {
  status: number;
  ok: boolean;
  body: T;
  headers: Headers;
}

/** A problem+json body (RFC 9457), as every API error is. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { field: string; message: string }[];
  [extension: string]: unknown;
}

/** The API client the shell hands to screens: same origin, `Authorization: Bearer` added, JSON in and out. */
export interface ConsoleApi {
  /** `body` is sent as JSON unless it is a string or a Blob (then as is, with `contentType`). */
  request<T = unknown>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options?: { body?: unknown; contentType?: string; headers?: Record<string, string> },
  ): Promise<ApiResult<T>>;
  /** Fetches a URL (an export's presigned link, say) without the token: bytes. */
  download(url: string): Promise<Uint8Array>;
}

/** The props of every screen component. */
export interface ScreenProps {
  api: ConsoleApi;
  lang: ConsoleLang;
  session: ConsoleSession;
}

/** A screen's strings: one record per language with the same keys. */
export type Strings<K extends string> = Record<ConsoleLang, Record<K, string>>;

/** A screen as the shell lists it: its path under `/console/#/`, its title, who may open it, and its component. */
export interface ScreenEntry {
  /** Hash route, e.g. `invoices` or `invoices/:id` (`:name` segments arrive in `params`). */
  path: string;
  title: Record<ConsoleLang, string>;
  roles: ConsoleRole[];
  /** Shown in the navigation (detail screens are reached from lists instead). */
  nav: boolean;
  component: (props: ScreenProps & { params: Record<string, string> }) => unknown;
}
