import { createHash, randomUUID } from 'node:crypto';
import type { ConnectionSettings, ConnectionSummary } from '../../../shared/connection';
import { credentialsFromEnvironment } from '../credentials/environmentCredentials';
import type { SecretStore } from '../credentials/keychain';
import { QuireError } from '../errors';
import { classifyS3Error } from '../s3/classifyError';
import { isRetryable } from '../s3/retryPolicy';
import type { Credentials, ObjectStore } from '../s3/gateway';
import type { GatewayPool } from '../s3/gatewayPool';
import { ConnectionRepository } from './connectionRepository';
import { resolveCdnBaseUrl, resolveEndpoint, resolvePathStyle } from './endpoints';

const EMPTY = Buffer.alloc(0);
const EMPTY_SHA256 = createHash('sha256').update(EMPTY).digest('hex');

/** Where a connection's secret comes from when it is added. */
export type SecretSource = { kind: 'given'; secret: string } | { kind: 'environment' };

/**
 * Adding, testing and removing connections. A connection is saved only after a live test has
 * shown that its bucket answers and that a probe object can be written and deleted, so a typo in
 * a key is found when it is typed, not hours later when the first chapter fails.
 */
export class ConnectionService {
  constructor(
    private readonly repository: ConnectionRepository,
    private readonly secrets: SecretStore,
    private readonly gateways: Pick<GatewayPool, 'forConnection' | 'unsaved'>,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  list(): ConnectionSummary[] {
    return this.repository.list();
  }

  /** `settings` come parsed by the contract (connections.add): validated once, at the boundary. */
  async add(settings: ConnectionSettings, secretSource: SecretSource): Promise<ConnectionSummary> {
    if (this.repository.findByName(settings.name)) {
      throw new QuireError('connection_exists', `A connection named "${settings.name}" already exists. Pick another name, or remove the old one first.`);
    }
    const summary: ConnectionSummary = {
      id: randomUUID(),
      name: settings.name,
      provider: settings.provider,
      endpoint: resolveEndpoint(settings),
      region: settings.region,
      bucket: settings.bucket,
      cdnBaseUrl: resolveCdnBaseUrl(settings),
      pathStyle: resolvePathStyle(settings),
      defaultVisibility: settings.defaultVisibility,
      maxFileSize: settings.maxFileSize,
      allowedFileTypes: settings.allowedFileTypes,
      accessKeyId: settings.accessKeyId,
      isDefault: settings.makeDefault,
    };
    const secret = secretSource.kind === 'given' ? secretSource.secret : this.environmentSecret(summary);
    if (!secret) throw new QuireError('secret_missing', `Connection "${summary.name}" needs its secret access key.`);

    const gateway = this.gateways.unsaved(summary, { accessKeyId: summary.accessKeyId, secretAccessKey: secret });
    try {
      await liveTest(gateway);
    } finally {
      gateway.destroy();
    }
    // A secret typed by the author goes to the keychain, and only there; one from the
    // environment stays in the environment (headless use) and is written nowhere.
    if (secretSource.kind === 'given') await this.secrets.set(summary.id, secret);
    try {
      this.repository.insert(summary);
    } catch (error) {
      if (secretSource.kind === 'given') await this.secrets.delete(summary.id).catch(() => {});
      throw error;
    }
    return this.repository.findById(summary.id) ?? summary;
  }

  async test(name?: string): Promise<ConnectionSummary> {
    const connection = this.resolve(name);
    await liveTest(await this.gateways.forConnection(connection));
    return connection;
  }

  /**
   * Removes a connection, its keychain entry and its upload history in Quire (the files in the
   * bucket stay). Refused while any of its uploads is unfinished: those would lose their way.
   */
  async remove(name: string): Promise<void> {
    const connection = this.resolve(name);
    const { unfinished, watched } = this.repository.delete(connection.id);
    if (watched.length > 0) {
      throw new QuireError('usage', `Connection "${connection.name}" is where ${watched.length} watch folder(s) sync to (${watched.join(', ')}). Remove them first (quire watch remove).`);
    }
    if (unfinished.length > 0) {
      throw new QuireError(
        'usage',
        `Connection "${connection.name}" still has ${unfinished.length} unfinished upload(s) (or failed ones whose parts are still in the bucket). Let them finish or cancel them (quire queue), then remove it.`,
      );
    }
    // The row goes first: a keychain that fails now leaves an orphaned item, never a connection
    // that looks usable but has lost its secret.
    await this.secrets.delete(connection.id).catch(() => {});
  }

  setDefault(name: string): ConnectionSummary {
    const connection = this.resolve(name);
    this.repository.setDefault(connection.id);
    return { ...connection, isDefault: true };
  }

  /** The named connection, or the default one when no name is given. */
  resolve(name?: string): ConnectionSummary {
    const connection = name ? this.repository.findByName(name) : this.repository.findDefault();
    if (connection) return connection;
    if (name) throw new QuireError('connection_not_found', `There is no connection named "${name}". See them with: quire connect list`);
    throw new QuireError('connection_not_found', 'No connection is set up yet. Add one with: quire connect add NAME --provider ... --bucket ...');
  }

  resolveById(id: string): ConnectionSummary {
    const connection = this.repository.findById(id);
    if (!connection) throw new QuireError('connection_not_found', 'The connection this upload was queued for has been removed. Remove the upload, or queue the file again.');
    return connection;
  }

  /** When the orphan janitor last listed this connection's bucket (see janitor.ts), if ever. */
  orphansCheckedAt(id: string): number | null {
    return this.repository.orphansCheckedAt(id);
  }

  recordOrphansChecked(id: string, at: number = Date.now()): void {
    this.repository.recordOrphansChecked(id, at);
  }

  /** The keychain first; the environment for headless machines. Never a file. */
  async credentialsFor(connection: ConnectionSummary): Promise<Credentials> {
    let keychainError: QuireError | null = null;
    let secret: string | null = null;
    try {
      secret = await this.secrets.get(connection.id);
    } catch (error) {
      keychainError = error instanceof QuireError ? error : new QuireError('keychain_unavailable', String(error));
    }
    if (secret) return { accessKeyId: connection.accessKeyId, secretAccessKey: secret };
    const fromEnv = this.environmentSecret(connection);
    if (fromEnv) return { accessKeyId: connection.accessKeyId, secretAccessKey: fromEnv };
    if (keychainError) throw keychainError;
    throw new QuireError(
      'secret_missing',
      `The secret key of connection "${connection.name}" is not in the keychain. Add the connection again, or set QUIRE_SECRET_ACCESS_KEY for this session.`,
    );
  }

  private environmentSecret(connection: Pick<ConnectionSummary, 'accessKeyId'>): string | null {
    const fromEnv = credentialsFromEnvironment(this.env);
    // Only a secret given together with this connection's key ID belongs to it.
    return fromEnv && fromEnv.accessKeyId === connection.accessKeyId ? fromEnv.secretAccessKey : null;
  }
}

/**
 * The bucket answers, and a probe object can be written and deleted. Each request goes through
 * the gateway's pacing and retry rule, so a 503 is tried again rather than blamed on the keys;
 * and the probe object is removed whatever happened after it was written.
 */
async function liveTest(gateway: ObjectStore): Promise<void> {
  const { connection } = gateway;
  const subject = `Connection "${connection.name}"`;
  const context = { endpoint: connection.endpoint, bucket: connection.bucket };
  await gateway.listOneKey().catch((error) => {
    throw classifyS3Error(error, subject, context);
  });
  const probeKey = `.quire/probe-${randomUUID()}`;
  await gateway.putObject(probeKey, EMPTY, { contentType: 'application/octet-stream', visibility: 'private', sha256: EMPTY_SHA256 }).catch((error) => {
    throw classifyS3Error(error, `${subject} can list the bucket but not write to it`, context);
  });
  try {
    await gateway.deleteObject(probeKey);
  } catch (error) {
    // A refusal is about the keys' rights; a server that kept failing is not, and then the
    // probe is tried once more in the background, so nothing of Quire's is left in the bucket.
    if (!isRetryable(error)) throw classifyS3Error(error, `${subject} can write but not delete (remove ${probeKey} from the bucket by hand, or give the key delete rights)`, context);
    void gateway.deleteObject(probeKey).catch(() => {});
    throw classifyS3Error(error, `${subject}: the server kept failing while Quire removed its test object ${probeKey}; try again in a moment`, context);
  }
}
