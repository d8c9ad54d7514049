import type { AppApi } from '../shared/contract';

declare global {
  interface Window {
    /** Provided by the Electron preload; the web host's client provides the same interface. */
    quire?: AppApi;
  }
}
