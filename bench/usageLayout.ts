/**
 * The usage bench's bucket: `objects` small objects spread over the book platform's layout the
 * way an author's bucket fills (platform specs: `books/content/YYYY/MM/...`, covers, chapters,
 * avatars, `temp/`, a few at the top), every key and size derived from the index alone, so the
 * expected figures (in total and per area) are known without asking the server, and any count
 * gives the same shape (10,000 is the 100,000 bucket at a tenth).
 */

/** One part of the layout: how many of every 100,000 objects it holds, where, and how big they are. */
interface Part {
  /** Key prefix under which its objects go. */
  prefix: string;
  /** The usage area Quire should count them under: stated here, not derived with Quire's own areaOf. */
  area: string;
  per100k: number;
  /** Spread over year/month folders as the platform's storage paths do (24 of them). */
  dated: boolean;
  stem: string;
  ext: string;
  minBytes: number;
  maxBytes: number;
}

const KIB = 1024;

/** The layout per 100,000 objects (the top level takes whatever rounding leaves, the marker among them). */
const PARTS: Part[] = [
  { prefix: 'books/content/', area: 'books/content/', per100k: 36_000, dated: true, stem: 'manuscript', ext: 'epub', minBytes: 1 * KIB, maxBytes: 12 * KIB },
  { prefix: 'books/covers/', area: 'books/covers/', per100k: 8_000, dated: false, stem: 'cover', ext: 'webp', minBytes: 2 * KIB, maxBytes: 16 * KIB },
  { prefix: 'books/assets/', area: 'books/assets/', per100k: 12_000, dated: false, stem: 'figure', ext: 'png', minBytes: 512, maxBytes: 8 * KIB },
  { prefix: 'audiobooks/chapters/', area: 'audiobooks/chapters/', per100k: 20_000, dated: true, stem: 'chapter', ext: 'mp3', minBytes: 4 * KIB, maxBytes: 16 * KIB },
  { prefix: 'audiobooks/full/', area: 'audiobooks/full/', per100k: 1_000, dated: false, stem: 'book', ext: 'm4b', minBytes: 8 * KIB, maxBytes: 16 * KIB },
  { prefix: 'audiobooks/samples/', area: 'audiobooks/samples/', per100k: 2_000, dated: false, stem: 'sample', ext: 'mp3', minBytes: 2 * KIB, maxBytes: 8 * KIB },
  { prefix: 'authors/avatars/', area: 'authors/avatars/', per100k: 2_000, dated: false, stem: 'avatar', ext: 'webp', minBytes: 256, maxBytes: 4 * KIB },
  { prefix: 'authors/branding/', area: 'authors/branding/', per100k: 2_000, dated: false, stem: 'banner', ext: 'png', minBytes: 1 * KIB, maxBytes: 8 * KIB },
  { prefix: 'authors/media/', area: 'authors/media/', per100k: 4_000, dated: true, stem: 'interview', ext: 'mp4', minBytes: 4 * KIB, maxBytes: 16 * KIB },
  { prefix: 'temp/uploads/', area: 'temp/', per100k: 2_000, dated: false, stem: 'staged', ext: 'part', minBytes: 0, maxBytes: 4 * KIB },
  { prefix: 'temp/processing/', area: 'temp/', per100k: 1_000, dated: false, stem: 'job', ext: 'tmp', minBytes: 0, maxBytes: 4 * KIB },
  { prefix: 'uploads/', area: 'uploads/', per100k: 4_000, dated: false, stem: 'file', ext: 'bin', minBytes: 0, maxBytes: 8 * KIB },
  // Outside the layout: Quire counts these as "other".
  { prefix: 'misc/', area: 'other', per100k: 5_900, dated: true, stem: 'note', ext: 'txt', minBytes: 0, maxBytes: 2 * KIB },
];
const TOP_LEVEL: Omit<Part, 'per100k'> = { prefix: '', area: 'other', dated: false, stem: 'readme', ext: 'txt', minBytes: 0, maxBytes: 1 * KIB };

/** The key written last, once every other object is there: its body says what the bucket holds, so a later run can reuse it. */
export const MARKER_KEY = 'bench-usage-layout.json';
/** Raised when the layout changes, so a bucket filled by an older bench is filled again. */
const LAYOUT_VERSION = 1;

export interface LayoutObject {
  key: string;
  size: number;
}

export interface Figures {
  objects: number;
  bytes: number;
}

export interface UsageLayout {
  /** Every object but the marker, in a fixed order. */
  objects: LayoutObject[];
  /** What the marker object holds (its size counts in the totals). */
  markerBody: string;
  /** All objects, the marker included. */
  totals: Figures;
  /** Per usage area (Quire's names; "other" for misc/ and the top level), the marker included. */
  areas: Map<string, Figures>;
  /** Object count per top-level prefix ("" for the top level): how the listing work is spread. */
  topLevel: Map<string, number>;
}

/** The layout for a bucket of `count` objects (at least 100, so every part gets some). */
export function usageLayout(count: number): UsageLayout {
  if (!Number.isInteger(count) || count < 100) throw new Error(`the usage bucket needs at least 100 objects, not ${count}`);
  const objects: LayoutObject[] = [];
  const areas = new Map<string, Figures>();
  const add = (area: string, size: number) => {
    const figures = areas.get(area) ?? { objects: 0, bytes: 0 };
    areas.set(area, { objects: figures.objects + 1, bytes: figures.bytes + size });
  };
  let index = 0;
  const place = (part: Omit<Part, 'per100k'>, n: number) => {
    for (let i = 0; i < n; i += 1) {
      const size = sizeOf(part, index);
      const folder = part.dated ? `${2024 + Math.floor((i % 24) / 12)}/${String((i % 12) + 1).padStart(2, '0')}/` : '';
      objects.push({ key: `${part.prefix}${folder}${part.stem}-${String(i).padStart(6, '0')}.${part.ext}`, size });
      add(part.area, size);
      index += 1;
    }
  };
  for (const part of PARTS) place(part, Math.floor((part.per100k * count) / 100_000));
  // The top level takes the rest, less one for the marker.
  place(TOP_LEVEL, count - objects.length - 1);
  const bytes = objects.reduce((sum, object) => sum + object.size, 0);
  const markerBody = `${JSON.stringify({ layoutVersion: LAYOUT_VERSION, objectsBesideThis: objects.length, bytesBesideThis: bytes })}\n`;
  const markerSize = Buffer.byteLength(markerBody);
  add(TOP_LEVEL.area, markerSize);
  const topLevel = new Map<string, number>();
  for (const { key } of [...objects, { key: MARKER_KEY }]) {
    const slash = key.indexOf('/');
    const top = slash < 0 ? '' : key.slice(0, slash + 1);
    topLevel.set(top, (topLevel.get(top) ?? 0) + 1);
  }
  return { objects, markerBody, totals: { objects: objects.length + 1, bytes: bytes + markerSize }, areas, topLevel };
}

/** A size between the part's bounds that looks random but depends on the index alone; every 500th object is empty. */
function sizeOf(part: Pick<Part, 'minBytes' | 'maxBytes'>, index: number): number {
  if (index % 500 === 499) return 0;
  return part.minBytes + (mix(index) % (part.maxBytes - part.minBytes + 1));
}

/** A 32-bit integer hash (a murmur-style finaliser): neighbouring indexes get unrelated sizes. */
function mix(n: number): number {
  let h = Math.imul(n ^ (n >>> 16), 0x45d9f3b);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return (h ^ (h >>> 16)) >>> 0;
}
