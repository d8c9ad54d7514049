/**
 * The one permission the page is given: writing text to the clipboard ("Copy link", "Copy key"),
 * and only for Quire's own page in its own window. Everything else a page may ask for — camera,
 * microphone, notifications (the main process notifies), geolocation, reading the clipboard — is
 * refused.
 */
export function permissionAllowed(permission: string, request: { fromOurWindow: boolean; url: string; ownUrl: string }): boolean {
  return permission === 'clipboard-sanitized-write' && request.fromOurWindow && sameDocument(request.url, request.ownUrl);
}

/** The same page whatever view it shows (the hash: #/queue). */
export function sameDocument(url: string, ownUrl: string): boolean {
  return url.split('#')[0] === ownUrl.split('#')[0];
}
