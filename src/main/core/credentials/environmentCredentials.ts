/**
 * The headless alternative to the keychain: keys given in the environment are used for this
 * process only and are never written anywhere. The platform specs' DO_SPACES_* names are accepted
 * so an author's existing .env works as is.
 */
export interface EnvironmentCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  source: 'QUIRE_*' | 'DO_SPACES_*';
}

export function credentialsFromEnvironment(env: NodeJS.ProcessEnv = process.env): EnvironmentCredentials | null {
  if (env.QUIRE_ACCESS_KEY_ID && env.QUIRE_SECRET_ACCESS_KEY) {
    return { accessKeyId: env.QUIRE_ACCESS_KEY_ID, secretAccessKey: env.QUIRE_SECRET_ACCESS_KEY, source: 'QUIRE_*' };
  }
  if (env.DO_SPACES_KEY && env.DO_SPACES_SECRET) {
    return { accessKeyId: env.DO_SPACES_KEY, secretAccessKey: env.DO_SPACES_SECRET, source: 'DO_SPACES_*' };
  }
  return null;
}
