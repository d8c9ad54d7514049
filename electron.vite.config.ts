import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// One build makes every host: the Electron main process and the `quire` CLI share the engine
// bundle (out/main), the preload is CommonJS because sandboxed preloads cannot load ES modules,
// and the renderer is the same React UI the web host serves.
export default defineConfig({
  main: {
    build: {
      // Bundled, not loaded from node_modules: Node 24 loading drizzle-orm's hundreds of ES
      // modules costs ~240 MB of RSS and half a second of CPU at every `quire` start; bundled
      // and tree-shaken it is a few hundred kilobytes. Native modules stay external.
      externalizeDeps: { exclude: ['drizzle-orm', 'zod'] },
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          cli: resolve(__dirname, 'src/main/cli/main.ts'),
          // The image pool's worker process (src/main/core/images/imagePool.ts): its own entry, forked by every host.
          imageWorker: resolve(__dirname, 'src/main/core/images/imageWorker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    // Minified: the page parses its bundle at every load (the desktop window and quire serve alike).
    // One bundle of about 650 kB (React, react-aria, zod): loaded from disk or loopback, not worth splitting.
    build: { minify: true, chunkSizeWarningLimit: 800, rollupOptions: { input: resolve(__dirname, 'src/renderer/index.html') } },
    plugins: [react()],
  },
});
