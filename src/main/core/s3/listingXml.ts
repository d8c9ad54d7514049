import type { ObjectPage } from './gateway';

/**
 * Reads a ListObjectsV2 answer: each <Contents>' key, size and date, the <CommonPrefixes>, and
 * the next page's token. Only what a scan keeps is taken, straight from the text: a general XML
 * parser (the SDK's) built an object tree per page, which measured about four times the CPU and
 * left garbage that made a 100,000-object scan's memory twice a 10,000-object one's.
 *
 * The answer is S3's fixed shape (elements without attributes, text escaped as XML requires), so
 * finding an element is finding its tags; values are unescaped, numeric references included (S3
 * writes a key's control characters so).
 */
export function parseListPage(xml: string): ObjectPage {
  const objects: ObjectPage['objects'] = [];
  for (let at = xml.indexOf('<Contents>'); at !== -1; ) {
    const end = xml.indexOf('</Contents>', at);
    if (end === -1) throw new Error('The listing answer ended inside an object entry.');
    const key = element(xml, 'Key', at, end);
    if (key !== null) {
      objects.push({ key: unescapeXml(key), size: Number(element(xml, 'Size', at, end) ?? 0), lastModified: Date.parse(element(xml, 'LastModified', at, end) ?? '') || 0 });
    }
    at = xml.indexOf('<Contents>', end);
  }
  const prefixes: string[] = [];
  for (let at = xml.indexOf('<CommonPrefixes>'); at !== -1; ) {
    const end = xml.indexOf('</CommonPrefixes>', at);
    if (end === -1) throw new Error('The listing answer ended inside a prefix entry.');
    const prefix = element(xml, 'Prefix', at, end);
    if (prefix) prefixes.push(unescapeXml(prefix));
    at = xml.indexOf('<CommonPrefixes>', end);
  }
  const truncated = topLevel(xml, 'IsTruncated') === 'true';
  const token = topLevel(xml, 'NextContinuationToken');
  return { objects, prefixes, nextToken: truncated && token ? unescapeXml(token) : null };
}

/** The text of the first `<name>` between `from` and `to`, or null. */
function element(xml: string, name: string, from: number, to: number): string | null {
  const open = xml.indexOf(`<${name}>`, from);
  if (open === -1 || open >= to) return null;
  const start = open + name.length + 2;
  const close = xml.indexOf(`</${name}>`, start);
  return close === -1 || close > to ? null : xml.slice(start, close);
}

/** A page-level element, written before or after the entries (servers differ): looked for outside them. */
function topLevel(xml: string, name: string): string | null {
  const firstEntry = [xml.indexOf('<Contents>'), xml.indexOf('<CommonPrefixes>')].filter((at) => at !== -1);
  const head = element(xml, name, 0, firstEntry.length ? Math.min(...firstEntry) : xml.length);
  if (head !== null) return head;
  const lastEnd = Math.max(xml.lastIndexOf('</Contents>'), xml.lastIndexOf('</CommonPrefixes>'));
  return lastEnd === -1 ? null : element(xml, name, lastEnd, xml.length);
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
