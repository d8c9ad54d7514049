/**
 * The renderer may load only our own files and talk only to its own host: no remote code, no
 * eval, no framing, no forms posting elsewhere. One policy for both hosts of the UI: the desktop
 * window sends it as a header (src/main/electron/security.ts) and `quire serve` sends it with
 * every page (src/main/web/staticFiles.ts), so a page that forgot its <meta> tag is still
 * covered. `connect-src 'self'` also admits the web host's own WebSocket (ws://same host:port).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
