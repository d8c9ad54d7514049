import { AsyncEntry } from '@napi-rs/keyring';
import { QuireError } from '../errors';

/** Items are stored as service "quire", username = the connection's id (not its name: names change). */
const SERVICE = 'quire';

/**
 * With a display and a locked keyring, the Secret Service waits for an unlock prompt that may
 * never come; a bounded call turns that hang into a clear error instead of a frozen app.
 */
const KEYCHAIN_TIMEOUT_MS = 10_000;

/** What a host stores secrets in. The engine only ever sees this port. */
export interface SecretStore {
  set(connectionId: string, secret: string): Promise<void>;
  get(connectionId: string): Promise<string | null>;
  delete(connectionId: string): Promise<void>;
}

/** The OS keychain: Keychain on macOS, Credential Manager on Windows, Secret Service on Linux. */
export class OsKeychain implements SecretStore {
  async set(connectionId: string, secret: string): Promise<void> {
    await withKeychain((signal) => new AsyncEntry(SERVICE, connectionId).setPassword(secret, signal));
  }

  async get(connectionId: string): Promise<string | null> {
    return withKeychain(async (signal) => {
      try {
        return await new AsyncEntry(SERVICE, connectionId).getPassword(signal);
      } catch (error) {
        if (/no (matching )?(entry|result)/i.test(String(error))) return null;
        throw error;
      }
    });
  }

  async delete(connectionId: string): Promise<void> {
    await withKeychain(async (signal) => {
      try {
        await new AsyncEntry(SERVICE, connectionId).deletePassword(signal);
      } catch (error) {
        if (!/no (matching )?(entry|result)/i.test(String(error))) throw error;
      }
    });
  }
}

async function withKeychain<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(
        new QuireError(
          'keychain_unavailable',
          'The system keychain did not answer within 10 seconds (it may be locked and waiting for a password). Unlock it and try again.',
          { retryable: true },
        ),
      );
    }, KEYCHAIN_TIMEOUT_MS);
  });
  try {
    return await Promise.race([call(controller.signal), timeout]);
  } catch (error) {
    if (error instanceof QuireError) throw error;
    throw new QuireError('keychain_unavailable', explainKeychainFailure(error), { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The most common Linux failure is no Secret Service at all (a server, a minimal desktop). Say so
 * plainly and name the headless alternative; never fall back to storing the secret in a file.
 */
function explainKeychainFailure(error: unknown): string {
  const detail = error instanceof Error ? error.message : String(error);
  if (process.platform === 'linux') {
    return (
      `No usable system keychain: ${detail}. Quire stores secret keys only in a Secret Service keyring ` +
      '(GNOME Keyring or KWallet) and never in a file. Install and unlock one, or on a headless machine ' +
      'give the keys in the environment instead: QUIRE_ACCESS_KEY_ID and QUIRE_SECRET_ACCESS_KEY ' +
      '(or DO_SPACES_KEY and DO_SPACES_SECRET).'
    );
  }
  return `The system keychain refused the request: ${detail}.`;
}
