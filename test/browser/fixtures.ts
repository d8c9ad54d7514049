import { test as base, expect } from '@playwright/test';
import { QuireServer, type AddedConnection, type CliOutcome, type ConnectionOptions } from './quireServer';

/**
 * What a browser spec gets: `test` with a `quire` fixture (a fresh data folder and its own
 * `quire serve`, stopped and removed after the test), `expect`, and the synthetic drop.
 *
 *   test('...', async ({ page, quire }) => {
 *     await quire.addConnection({ publicRead: true });
 *     await page.goto(quire.url);
 *     await dropFiles(page, '[data-testid=drop-zone]', [{ name: 'book.pdf', mimeType: 'application/pdf', size: 2_000_000 }]);
 *   });
 */
export interface QuireFixture {
  /** The address `quire serve` printed, token included; open it with page.goto. New after restart(). */
  readonly url: string;
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  readonly dataDir: string;
  readonly port: number;
  addConnection(options?: ConnectionOptions): Promise<AddedConnection>;
  cli(args: string[], options?: { input?: string }): Promise<CliOutcome>;
  /** SIGKILL quire serve (a crash, mid-upload if it was uploading). */
  kill(): Promise<void>;
  /** Starts quire serve again on the same data folder and port (stopping it first if it runs); open the new `url`. */
  restart(): Promise<void>;
}

export const test = base.extend<{ quire: QuireFixture; optimizeImages: boolean }>({
  /**
   * Most specs drop files of made-up bytes named like covers ("cover.jpg"): they are about the
   * transfer, so images go as they are unless a spec asks (`test.use({ optimizeImages: true })`),
   * and then the author's defaults apply (covers, book images, avatars and branding get their set).
   */
  optimizeImages: [false, { option: true }],
  quire: async ({ optimizeImages }, use, testInfo) => {
    const server = new QuireServer();
    try {
      if (!optimizeImages) {
        const saved = await server.cli(['settings', '--optimize-types', 'none']);
        if (saved.code !== 0) throw new Error(`quire settings failed: ${saved.stderr}`);
      }
      await server.start();
      await use(server);
    } finally {
      if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('quire-serve.log', { body: server.log, contentType: 'text/plain' });
      await server.dispose();
    }
  },
});

export { expect };
export { dropFiles, expectedBytes, expectedSha256, fileSeed, type DroppedFile } from './syntheticDrop';
export type { AddedConnection, CliOutcome, ConnectionOptions } from './quireServer';
