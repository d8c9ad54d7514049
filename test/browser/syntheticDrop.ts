import { createHash } from 'node:crypto';
import type { Locator, Page } from '@playwright/test';

/**
 * A drop of files and folders onto the page, as the author's file manager makes it, without
 * moving the bytes through Playwright's protocol: each file's bytes are generated inside the page
 * from a seed (xorshift32, so a 200 MB WAV costs about a second and no transfer), and the same
 * bytes can be made again in Node (`expectedBytes`) to compare what reached the bucket.
 *
 * What the page receives, so that the UI needs no test-only path:
 * - `dragenter`, `dragover` and `drop` on the target, at its centre, bubbling and cancelable,
 *   with one DataTransfer (`effectAllowed` "all", like an external file drag).
 * - One DataTransfer item per top-level entry, as a real drop: a file without a folder is an
 *   item whose `getAsFile()` is that File; each top-level folder is one item whose
 *   `getAsFile()` is an empty placeholder File named after the folder (Chrome does the same).
 * - `item.webkitGetAsEntry()` answers as for a real drop: a FileSystemFileEntry for a file,
 *   a FileSystemDirectoryEntry for a folder whose `createReader().readEntries()` yields its
 *   files and subfolders (in batches of up to 100, then an empty batch), with `name`,
 *   `fullPath` ("/Book/ch1.txt"), `file(success)` and `getParent()`. Chrome returns null for
 *   items of a DataTransfer made by a script, so the page's `DataTransferItem.prototype
 *   .webkitGetAsEntry` is wrapped, once, to answer for the Files this drop made (and only those;
 *   every other item gets Chrome's own answer). react-aria's DropZone reads drops this way.
 * - Files inside folders have an empty `webkitRelativePath`, as in a real drop; their path
 *   is known only by walking the entries, as in a real drop.
 */

export interface DroppedFile {
  /** The file's name (the last segment of `relativePath`, when that is given). */
  name: string;
  /** Its path inside the drop, with "/" ("Book/Chapter 1/intro.txt"); the first segment is the top-level folder. Default: `name`, a top-level file. */
  relativePath?: string;
  /** The File's `type`; default "" (as a browser leaves it for an unknown extension). */
  mimeType?: string;
  size: number;
  /** Seeds the bytes; default `fileSeed(file)`, from its path, so no two files of a drop are alike. */
  seed?: number;
}

/** The seed a file's bytes are made from when none is given: FNV-1a of its path in the drop. */
export function fileSeed(file: Pick<DroppedFile, 'name' | 'relativePath' | 'seed'>): number {
  if (file.seed !== undefined) return file.seed >>> 0;
  let hash = 0x811c9dc5;
  for (const unit of file.relativePath ?? file.name) hash = Math.imul(hash ^ unit.codePointAt(0)!, 0x01000193) >>> 0;
  return hash;
}

/** xorshift32 never leaves 0, so a seed of 0 is taken as this. */
const ZERO_SEED = 0x9e3779b9;
const WORDS_PER_CHUNK = 256 * 1024;

/** The bytes `dropFiles` made for a file of this size and seed (little-endian words of xorshift32). */
export function expectedBytes(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let offset = 0;
  for (const chunk of xorshiftChunks(size, seed)) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** SHA-256 (hex) of those bytes, made a chunk at a time (a 200 MB file without a 200 MB buffer). */
export function expectedSha256(size: number, seed: number): string {
  const hash = createHash('sha256');
  for (const chunk of xorshiftChunks(size, seed)) hash.update(chunk);
  return hash.digest('hex');
}

function* xorshiftChunks(size: number, seed: number): Generator<Uint8Array> {
  let state = seed >>> 0 || ZERO_SEED;
  for (let offset = 0; offset < size; offset += WORDS_PER_CHUNK * 4) {
    const words = new Uint32Array(Math.min(WORDS_PER_CHUNK, Math.ceil((size - offset) / 4)));
    for (let i = 0; i < words.length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      words[i] = state >>> 0;
    }
    // The platform's byte order, as in the page (both little-endian on every machine Chromium runs).
    yield new Uint8Array(words.buffer, 0, Math.min(words.length * 4, size - offset));
  }
}

/**
 * Drops `files` on the element `target` names (a Playwright selector or locator, waited for).
 * Resolves once the drop event was dispatched, with how many bytes the page made.
 */
export async function dropFiles(page: Page, target: string | Locator, files: DroppedFile[]): Promise<{ files: number; bytes: number }> {
  const specs = files.map((file) => {
    const relativePath = file.relativePath ?? file.name;
    const segments = relativePath.split('/');
    if (segments.some((segment) => segment === '') || segments.at(-1) !== file.name) {
      throw new Error(`dropFiles: relativePath "${relativePath}" must be a path of non-empty segments ending in the name "${file.name}".`);
    }
    return { segments, mimeType: file.mimeType ?? '', size: file.size, seed: fileSeed(file) };
  });
  const locator = typeof target === 'string' ? page.locator(target) : target;
  return locator.evaluate(dropInPage, { specs, wordsPerChunk: WORDS_PER_CHUNK, zeroSeed: ZERO_SEED });
}

interface DropSpec {
  segments: string[];
  mimeType: string;
  size: number;
  seed: number;
}

/**
 * The few browser names the in-page code uses, typed here: this file is compiled with Node's
 * types (tsconfig.node.json has no DOM), and the function runs in Chromium.
 */
interface PageGlobals {
  DataTransfer: new () => { items: { add(file: File): unknown }; effectAllowed: string };
  DragEvent: new (type: string, init: object) => unknown;
  DataTransferItem: { prototype: { webkitGetAsEntry(this: PageItem): unknown } };
  FileSystemFileEntry?: { prototype: object };
  FileSystemDirectoryEntry?: { prototype: object };
  quireDropEntries?: WeakMap<File, unknown>;
}
interface PageItem {
  getAsFile(): File | null;
}
interface PageElement {
  getBoundingClientRect(): { x: number; y: number; width: number; height: number };
  dispatchEvent(event: unknown): boolean;
}
interface DropNode {
  name: string;
  fullPath: string;
  parent: DropNode | null;
  file?: File;
  children?: Map<string, DropNode>;
}

/** Runs in the page: serialised by Playwright, so it may use nothing from this module's scope. */
async function dropInPage(element: unknown, args: { specs: DropSpec[]; wordsPerChunk: number; zeroSeed: number }): Promise<{ files: number; bytes: number }> {
  const page = globalThis as unknown as PageGlobals;
  const target = element as PageElement;

  const makeFile = (spec: DropSpec): File => {
    // Generated a chunk at a time and gathered into Blobs of 16 MiB, so the page's heap holds
    // one group of chunks at a time whatever the file's size.
    let state = spec.seed >>> 0 || args.zeroSeed;
    const groups: Blob[] = [];
    let group: Uint8Array<ArrayBuffer>[] = [];
    let groupBytes = 0;
    for (let offset = 0; offset < spec.size; offset += args.wordsPerChunk * 4) {
      const words = new Uint32Array(Math.min(args.wordsPerChunk, Math.ceil((spec.size - offset) / 4)));
      for (let i = 0; i < words.length; i++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        words[i] = state >>> 0;
      }
      const bytes = new Uint8Array(words.buffer, 0, Math.min(words.length * 4, spec.size - offset));
      group.push(bytes);
      groupBytes += bytes.length;
      if (groupBytes >= 16 * 1024 * 1024) {
        groups.push(new Blob(group));
        group = [];
        groupBytes = 0;
      }
    }
    if (group.length > 0) groups.push(new Blob(group));
    return new File(groups, spec.segments.at(-1)!, { type: spec.mimeType, lastModified: Date.now() });
  };

  // The tree of the drop: top-level files and folders, in the order given.
  const root: DropNode = { name: '', fullPath: '', parent: null, children: new Map() };
  let bytes = 0;
  for (const spec of args.specs) {
    let dir = root;
    for (const name of spec.segments.slice(0, -1)) {
      let next = dir.children!.get(name);
      if (!next) {
        next = { name, fullPath: `${dir.fullPath}/${name}`, parent: dir, children: new Map() };
        dir.children!.set(name, next);
      }
      dir = next;
    }
    const name = spec.segments.at(-1)!;
    dir.children!.set(name, { name, fullPath: `${dir.fullPath}/${name}`, parent: dir, file: makeFile(spec) });
    bytes += spec.size;
  }

  // Entries shaped as Chrome's: instances of its classes, answering with own properties.
  const later = (callback: () => void) => setTimeout(callback, 0);
  const entryOf = (node: DropNode): object => {
    const common = {
      name: { value: node.name },
      fullPath: { value: node.fullPath },
      isFile: { value: node.file !== undefined },
      isDirectory: { value: node.file === undefined },
      filesystem: { value: { name: 'quire-test-drop', root: null } },
      getParent: { value: (success: (entry: object) => void) => later(() => success(entryOf(node.parent ?? root))) },
    };
    if (node.file) {
      const file = node.file;
      return Object.create(page.FileSystemFileEntry?.prototype ?? Object.prototype, { ...common, file: { value: (success: (file: File) => void) => later(() => success(file)) } });
    }
    return Object.create(page.FileSystemDirectoryEntry?.prototype ?? Object.prototype, {
      ...common,
      createReader: {
        value: () => {
          const pending = [...node.children!.values()];
          return { readEntries: (success: (entries: object[]) => void) => later(() => success(pending.splice(0, 100).map(entryOf))) };
        },
      },
    });
  };

  const registry = (page.quireDropEntries ??= new WeakMap<File, unknown>());
  const proto = page.DataTransferItem.prototype;
  if (!(proto as { quireWrapped?: boolean }).quireWrapped) {
    const native = proto.webkitGetAsEntry;
    proto.webkitGetAsEntry = function (this: PageItem) {
      const entry = native.call(this);
      if (entry) return entry;
      const file = this.getAsFile();
      return (file && page.quireDropEntries?.get(file)) ?? null;
    };
    (proto as { quireWrapped?: boolean }).quireWrapped = true;
  }

  const transfer = new page.DataTransfer();
  transfer.effectAllowed = 'all';
  for (const node of root.children!.values()) {
    // A folder's item carries an empty File named after it, as Chrome's does.
    const file = node.file ?? new File([], node.name);
    registry.set(file, entryOf(node));
    transfer.items.add(file);
  }

  const box = target.getBoundingClientRect();
  const at = { clientX: box.x + box.width / 2, clientY: box.y + box.height / 2 };
  for (const type of ['dragenter', 'dragover', 'drop']) {
    target.dispatchEvent(new page.DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true, composed: true, ...at }));
  }
  return { files: args.specs.length, bytes };
}
