import type { ObjectPage } from './gateway';

/** What a page says besides its objects: the folders one level down (with a delimiter), and where the next page starts. */
export type PageRest = Omit<ObjectPage, 'objects'>;

/** Told each object of the page as it is read. */
export type ObjectVisitor = (key: string, size: number, lastModified: number) => void;

/**
 * Reads a ListObjectsV2 answer as it arrives: each <Contents>' key, size and date, the
 * <CommonPrefixes>, and the next page's token. Only what a scan keeps is taken, straight from the
 * text, a piece at a time: a general XML parser (the SDK's) built an object tree per page, which
 * measured about four times the CPU, and a page read whole is a quarter-megabyte string, which
 * V8 keeps among the long-lived objects until a full collection: both made a 100,000-object
 * scan's memory grow well past a 10,000-object one's. Pieces of a few kilobytes die young, and
 * each object goes to a visitor as it is read (a scan folds it into its counters at once), so a
 * page of objects is never held either.
 *
 * The answer is S3's fixed shape (elements without attributes, text escaped as XML requires), so
 * finding an element is finding its tags; values are unescaped, numeric references included (S3
 * writes a key's control characters so).
 */
export class ListPageReader {
  /** Text not read yet: from the start of an entry not complete yet, or page-level text. */
  private rest = '';
  private readonly prefixes: string[] = [];
  private truncated = false;
  private token: string | null = null;

  constructor(private readonly visit: ObjectVisitor) {}

  push(text: string): void {
    const rest = this.rest + text;
    // Where the next entry of each kind begins, searched for again only once passed: a page of
    // objects has no folders, and looking for one after every object would read it over and over.
    let contents = rest.indexOf('<Contents>');
    let common = rest.indexOf('<CommonPrefixes>');
    let at = 0;
    for (;;) {
      const open = contents === -1 ? common : common === -1 ? contents : Math.min(contents, common);
      // No entry begins in what has come: keep it whole (a page-level element may be cut in two).
      if (open === -1) break;
      // Before an entry: page-level text, complete.
      if (open > at) this.readPageLevel(rest.slice(at, open));
      const isObject = open === contents;
      const closeTag = isObject ? '</Contents>' : '</CommonPrefixes>';
      const end = rest.indexOf(closeTag, open);
      if (end === -1) {
        at = open;
        break;
      }
      const entry = rest.slice(open, end);
      if (isObject) this.readObject(entry);
      else {
        const prefix = element(entry, 'Prefix');
        if (prefix) this.prefixes.push(unescapeXml(prefix));
      }
      at = end + closeTag.length;
      if (contents !== -1 && contents < at) contents = rest.indexOf('<Contents>', at);
      if (common !== -1 && common < at) common = rest.indexOf('<CommonPrefixes>', at);
    }
    this.rest = rest.slice(at);
  }

  end(): PageRest {
    if (this.rest.includes('<Contents>') || this.rest.includes('<CommonPrefixes>')) throw new Error('The listing answer ended inside an entry.');
    // An answer cut off between two entries would otherwise pass for a whole page: a count must be exact.
    if (!this.rest.includes('</ListBucketResult>')) throw new Error('The listing answer ended before its last line.');
    this.readPageLevel(this.rest);
    this.rest = '';
    return { prefixes: this.prefixes, nextToken: this.truncated && this.token ? unescapeXml(this.token) : null };
  }

  private readObject(entry: string): void {
    const key = element(entry, 'Key');
    if (key === null) return;
    this.visit(unescapeXml(key), Number(element(entry, 'Size') ?? 0), Date.parse(element(entry, 'LastModified') ?? '') || 0);
  }

  /** IsTruncated and NextContinuationToken: servers write them before the entries or after. */
  private readPageLevel(text: string): void {
    const truncated = element(text, 'IsTruncated');
    if (truncated !== null) this.truncated = truncated === 'true';
    this.token = element(text, 'NextContinuationToken') ?? this.token;
  }
}

/** A whole answer at once, its objects listed (tests, and any caller holding the text). */
export function parseListPage(xml: string): ObjectPage {
  const objects: ObjectPage['objects'] = [];
  const reader = new ListPageReader((key, size, lastModified) => objects.push({ key, size, lastModified }));
  reader.push(xml);
  return { objects, ...reader.end() };
}

/** The text of the first `<name>` element in `text`, or null. */
function element(text: string, name: string): string | null {
  const open = text.indexOf(`<${name}>`);
  if (open === -1) return null;
  const start = open + name.length + 2;
  const close = text.indexOf(`</${name}>`, start);
  return close === -1 ? null : text.slice(start, close);
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function unescapeXml(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, name: string) => {
    if (name[0] !== '#') return NAMED[name] ?? whole;
    const code = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
    return String.fromCodePoint(code);
  });
}
