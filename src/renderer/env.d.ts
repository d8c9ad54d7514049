/// <reference types="vite/client" />
import type { AppApi } from '../shared/contract';

declare global {
  interface Window {
    /** Provided by the Electron preload; in a browser the WebSocket client provides the same interface. */
    quire?: AppApi;
    /** The desktop window's host facts (the preload): a dropped file's real path on disk. */
    quireHost?: { kind: 'desktop'; pathForFile(file: File): string };
  }
}
