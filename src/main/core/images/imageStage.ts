import type { ImagePreview, ImagePreviewInput } from '../../../shared/images';
import type { Settings } from '../../../shared/settings';
import type { Ledger } from '../ledger/database';
import { ImageCache } from './imageCache';
import { ImagePool, type ImagePoolOptions } from './imagePool';
import { ImagePreparer, type PreparerPorts } from './imagePreparer';
import { previewImage } from './imagePreview';
import { ImageSetRepository } from './imageSetRepository';

/** The image cache is trimmed to this (least recently used sets first); a set is about a tenth of its photo. */
const IMAGE_CACHE_MAX_BYTES = 2 * 1024 ** 3;

export interface ImageStagePorts extends Omit<PreparerPorts, 'sets' | 'images' | 'trimCache'> {
  db: Ledger;
  /** Where sets are kept, in the data folder. */
  cacheDir: string;
  /** How the pool runs (its worker script, native or wasm sharp, its size): the host's choice. */
  pool?: Omit<ImagePoolOptions, 'cacheDir'>;
}

/**
 * The prepare stage as the engine holds it: the preparer that takes rows owing a web set, the
 * ledger side of sets, the image pool (started on first use: most runs upload no image) and the
 * cache's upkeep. One object, so the engine wires it once and starts and stops it with the queue.
 */
export class ImageStage {
  readonly sets: ImageSetRepository;
  private readonly preparer: ImagePreparer;
  private pool: ImagePool | null = null;
  private readonly poolOptions: ImagePoolOptions;

  constructor(private readonly ports: ImageStagePorts) {
    this.poolOptions = { cacheDir: ports.cacheDir, ...ports.pool };
    this.sets = new ImageSetRepository(ports.db, ports.uploads);
    this.preparer = new ImagePreparer({
      ...ports,
      sets: this.sets,
      images: () => this.images,
      // Entries still read by unfinished (or failed, retryable) uploads stay, whatever their age.
      trimCache: () => new ImageCache(ports.cacheDir).evict(IMAGE_CACHE_MAX_BYTES, (entry) => ports.uploads.readsFilesUnder(entry)),
    });
  }

  get images(): ImagePool {
    this.pool ??= new ImagePool(this.poolOptions);
    return this.pool;
  }

  /** The uploads whose images are being made now. */
  get busy(): string[] {
    return this.preparer.busy;
  }

  start(): void {
    this.preparer.start();
  }

  /** Stops the work under way (its rows go back to the queue) and the workers: they hold memory, and would keep a CLI alive. */
  async stop(): Promise<void> {
    await this.preparer.stop();
    await this.pool?.stop();
  }

  /** Something was queued or resumed here: look now. */
  nudge(): void {
    this.preparer.nudge();
  }

  /** The author paused, cancelled or sent these as they are: their images stop being made. */
  stopRows(ids: string[]): void {
    this.preparer.stopRows(ids);
  }

  /** With an image's own row, its whole set: what a pause or a cancel of it takes along. */
  withSets(ids: string[]): string[] {
    return [...new Set([...ids, ...this.sets.membersOf(ids)])];
  }

  /** `images.preview`: the real work (into the cache), so an upload that follows encodes nothing. */
  preview(input: ImagePreviewInput, settings: Settings): Promise<ImagePreview> {
    return previewImage(input, settings, (request) => this.images.prepare(request));
  }
}
