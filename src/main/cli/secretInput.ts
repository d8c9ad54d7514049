import { QuireError } from '../core/errors';

/**
 * The secret is never a flag (ps and shell history would show it): it comes from stdin with
 * --secret-stdin, from a hidden prompt on a terminal, or from the environment.
 */
export async function readSecret(options: { fromStdin: boolean; prompt: string }): Promise<string | undefined> {
  if (options.fromStdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    const secret = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
    if (!secret) throw new QuireError('usage', '--secret-stdin was given but nothing came on standard input.');
    return secret;
  }
  if (process.env.QUIRE_SECRET_ACCESS_KEY || process.env.DO_SPACES_SECRET) return undefined; // The engine takes it from there.
  if (!process.stdin.isTTY) {
    throw new QuireError('usage', 'No secret access key: pipe it in with --secret-stdin, or set QUIRE_SECRET_ACCESS_KEY. It is never taken as a flag.');
  }
  return promptHidden(options.prompt);
}

function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    let value = '';
    const onData = (data: Buffer) => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n') {
          finish();
          return resolve(value);
        }
        if (char === '\u0003') {
          finish();
          return reject(new QuireError('usage', 'Cancelled.'));
        }
        if (char === '\u007f') value = value.slice(0, -1);
        else value += char;
      }
    };
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    stdin.on('data', onData);
  });
}
