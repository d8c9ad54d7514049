import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Who may use this `quire serve`: whoever was given the address it printed. The token in that
 * address is exchanged once per browser for a cookie holding a separate random value, so the
 * token leaves the address bar (and the history, and a shared screen) and the cookie, being
 * HttpOnly and SameSite=Strict, is out of reach of page scripts and never sent by other sites.
 * Both are new for every run: a restart lets nobody in on an old address.
 */
export class WebSession {
  readonly token = randomBytes(32).toString('base64url');
  private readonly sessionValue = randomBytes(32).toString('base64url');
  /**
   * Cookies are per host name, not per port: two `quire serve` on one machine (two data folders,
   * or a test beside the author's own) would overwrite each other's cookie under one name.
   */
  readonly cookieName: string;

  constructor(port: number) {
    this.cookieName = `quire-session-${port}`;
  }

  /** One-use tokens for addresses handed to another program (`--open`), with when they expire. */
  private readonly oneUse = new Map<string, number>();

  isToken(candidate: string, now = Date.now()): boolean {
    if (sameSecret(candidate, this.token)) return true;
    // A one-use token is struck off when it is exchanged (or found expired).
    for (const [token, expiresAt] of this.oneUse) {
      if (expiresAt < now) this.oneUse.delete(token);
      else if (sameSecret(candidate, token)) {
        this.oneUse.delete(token);
        return true;
      }
    }
    return false;
  }

  /**
   * A token for an address given to the system's opener (xdg-open, then the browser): its command
   * line is readable by every local user, so that token lets in one browser once, within a minute.
   */
  issueOneUseToken(now = Date.now()): string {
    const token = randomBytes(32).toString('base64url');
    this.oneUse.set(token, now + ONE_USE_TOKEN_MS);
    return token;
  }

  /** Whether the request carries this run's session cookie. */
  hasSession(req: IncomingMessage): boolean {
    const header = req.headers.cookie;
    if (!header) return false;
    let found = false;
    for (const pair of header.split(';')) {
      const at = pair.indexOf('=');
      if (at < 0 || pair.slice(0, at).trim() !== this.cookieName) continue;
      // Every candidate is compared (no early exit) so timing tells nothing about which matched.
      if (sameSecret(pair.slice(at + 1).trim(), this.sessionValue)) found = true;
    }
    return found;
  }

  /**
   * No `Secure`: the host speaks plain http on loopback, where a Secure cookie would never be
   * sent back. No `Domain`: the cookie stays with the exact host name it was set for.
   */
  setCookieHeader(): string {
    return `${this.cookieName}=${this.sessionValue}; HttpOnly; SameSite=Strict; Path=/`;
  }
}

const ONE_USE_TOKEN_MS = 60_000;

/**
 * Constant-time comparison of a secret with what a request brought. Both are hashed first, so
 * neither the content nor the length of the secret can be learned from how long a refusal takes.
 */
function sameSecret(candidate: string, secret: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(candidate), digest(secret));
}
