/**
 * Signing in. Locally (`config.json` `mode: "dev"`) a page picks a role and ministry and asks the dev issuer for a
 * token (`POST /dev/tokens`). In the cloud (`mode: "cognito"`) the stack's Cognito hosted UI: OAuth 2.0
 * authorization code with PKCE (S256) and a random `state` checked on return; the ID token (it carries the role and
 * ministry attributes) is kept in memory only. The verifier and state wait in sessionStorage across the redirect
 * (they are useless without the code) and are removed as soon as they are read.
 */
import type { ConsoleRole, ConsoleSession } from './contract';

/** What `config.json` says. */
export type ConsoleConfig = { mode: 'dev' } | { mode: 'cognito'; domain: string; clientId: string };

/** A signed-in user: the bearer token and who it says they are. */
export interface SignedIn {
  token: string;
  session: ConsoleSession & { subject?: string };
  /** Milliseconds since the epoch when the token expires (from `exp`), if it says. */
  expiresAt?: number;
}

const PKCE_KEY = 'stablefee.console.pkce';
const ROLES: ConsoleRole[] = ['ministry', 'auditor', 'operator', 'compliance'];

/** Reads `config.json` beside the page. */
export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch('config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  return (await response.json()) as ConsoleConfig;
}

/** The session a token's claims describe (`role`/`custom:role`, `ministry`/`custom:ministry`, `sub`); undefined when unusable. */
export function sessionFromToken(token: string): SignedIn | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(new TextDecoder().decode(base64UrlDecode(payload))) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const role = (claims.role ?? claims['custom:role']) as ConsoleRole;
  if (!ROLES.includes(role)) return undefined;
  const ministry = (claims.ministry ?? claims['custom:ministry']) as string | undefined;
  if (role === 'ministry' && !ministry) return undefined;
  return {
    token,
    session: { role, ...(role === 'ministry' ? { ministry } : {}), subject: claims.sub as string | undefined },
    expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : undefined,
  };
}

/** The dev issuer's token for `role` (and `ministry`, and an optional subject for four-eyes work). */
export async function devSignIn(request: {
  role: ConsoleRole;
  ministry?: string;
  subject?: string;
}): Promise<
  SignedIn | { problem: { title?: string; detail?: string; errors?: { field: string; message: string }[] } }
> {
  const response = await fetch('/dev/tokens', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      role: request.role,
      ...(request.role === 'ministry' ? { ministry: request.ministry } : {}),
      ...(request.subject ? { subject: request.subject } : {}),
    }),
  });
  const body = (await response.json()) as { token?: string };
  if (!response.ok || !body.token) return { problem: body as never };
  return sessionFromToken(body.token) ?? { problem: { title: 'The token names no usable role' } };
}

/** Where the hosted UI sends the user back: this page, without query or hash. */
function redirectUri(): string {
  return `${location.origin}${location.pathname}`;
}

/** Sends the browser to the hosted UI's authorize endpoint with a fresh PKCE verifier and state. */
export async function startCognitoSignIn(config: Extract<ConsoleConfig, { mode: 'cognito' }>): Promise<void> {
  const verifier = randomBase64Url(32);
  const state = randomBase64Url(16);
  const challenge = base64UrlEncode(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: 'openid email profile',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  location.assign(`${config.domain}/oauth2/authorize?${query}`);
}

/**
 * On return from the hosted UI (`?code&state`): checks the state against the one sent, exchanges the code with the
 * verifier, and removes code and state from the address bar. Undefined when this page load is no such return.
 */
export async function completeCognitoSignIn(
  config: Extract<ConsoleConfig, { mode: 'cognito' }>,
): Promise<SignedIn | { error: string } | undefined> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const returned = params.get('state');
  if (!code && !params.get('error')) return undefined;
  const saved = sessionStorage.getItem(PKCE_KEY);
  sessionStorage.removeItem(PKCE_KEY);
  history.replaceState(null, '', `${location.pathname}${location.hash}`);
  if (params.get('error')) return { error: params.get('error_description') ?? params.get('error') ?? 'sign-in failed' };
  const pending = saved ? (JSON.parse(saved) as { verifier: string; state: string }) : undefined;
  if (!pending || !returned || pending.state !== returned)
    return { error: 'The sign-in answer does not match the request (state).' };
  const response = await fetch(`${config.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config.clientId,
      code: code ?? '',
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) return { error: `The token exchange failed (HTTP ${response.status}).` };
  const tokens = (await response.json()) as { id_token?: string };
  return (tokens.id_token && sessionFromToken(tokens.id_token)) || { error: 'The ID token names no usable role.' };
}

/** Ends the hosted UI's session too (the in-memory token is already dropped by the caller). */
export function cognitoSignOut(config: Extract<ConsoleConfig, { mode: 'cognito' }>): void {
  const query = new URLSearchParams({ client_id: config.clientId, logout_uri: redirectUri() });
  location.assign(`${config.domain}/logout?${query}`);
}

function randomBase64Url(bytes: number): string {
  return base64UrlEncode(crypto.getRandomValues(new Uint8Array(bytes)));
}

function base64UrlEncode(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function base64UrlDecode(text: string): Uint8Array {
  const binary = atob(
    text
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(text.length / 4) * 4, '='),
  );
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
