import { describe, expect, it } from 'vitest';
import { classify, contentTypeFor } from '../src/main/core/layout/classify';
import { buildObjectKey, suffixedKey } from '../src/main/core/layout/objectKey';
import { QuireError } from '../src/main/core/errors';
import { printable, printableJson } from '../src/shared/printable';

/** The refusal buildObjectKey throws for a name (fails the test if it throws none). */
function refusalOf(name: string, label = `/books/${name}`, destinationPrefix?: string): QuireError {
  try {
    buildObjectKey({ relativePath: name, category: 'manuscript', destinationPrefix }, label);
  } catch (error) {
    expect(error).toBeInstanceOf(QuireError);
    return error as QuireError;
  }
  throw new Error(`${JSON.stringify(name)} was accepted`);
}

/** Anything a terminal would act on or reorder rather than show. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Names that are refused, each with what its message must say. */
const refusedNames: [string, RegExp][] = [
  ['../escape.pdf', /"\." and "\.\."/],
  ['a/../../b.pdf', /"\." and "\.\."/],
  ['/etc/passwd', /absolute path/],
  ['line\nbreak.pdf', /control character \(\\n\)/],
  ['tab\t.pdf', /control character \(\\t\)/],
  ['esc\u001b[31mred.pdf', /control character \(\\x1b\)/],
  ['del\u007f.pdf', /control character \(\\x7f\)/],
  // C1 controls: U+0085 is a line break to some tools, U+009B starts an escape in some terminals.
  ['next\u0085line.pdf', /control character \(\\x85\)/],
  ['csi\u009b31m.pdf', /control character \(\\x9b\)/],
  ['invoice\u202egpj.exe', /text-direction character \(\\u202e\).*display differently/],
  ['\u2066isolate\u2069.pdf', /text-direction character \(\\u2066\)/],
  ['mark\u200f.pdf', /text-direction character \(\\u200f\)/],
  ['arabic\u061cmark.pdf', /text-direction character \(\\u061c\)/],
  ['chapter\\1.pdf', /backslash.*Rename it/],
  ['Book\\Part 1/ch1.pdf', /backslash.*Rename it/],
  [`${'x'.repeat(1100)}.pdf`, /1,024/],
];

describe('where files go', () => {
  it.each([
    ['Novel.pdf', 'manuscript'],
    ['draft.DOCX', 'manuscript'],
    ['book.epub', 'manuscript'],
    ['chapter-01.wav', 'audio'],
    ['Chapter 3 - The Complete Stranger.mp3', 'audio'],
    ['ch-07 whole.wav', 'audio'],
    ['book.m4b', 'audio-full'],
    ['full-book.wav', 'audio-full'],
    ['Unabridged.flac', 'audio-full'],
    ['retail-sample.mp3', 'audio-sample'],
    ['Trailer.m4a', 'audio-sample'],
    ['Chapter 9 - The Trailer Park.mp3', 'audio'],
    ['Hopefully.mp3', 'audio'],
    ['Wholesome Tales ch1.wav', 'audio'],
    ['front-cover.jpg', 'cover'],
    ['headshot.png', 'avatar'],
    ['logo.svg', 'branding'],
    ['map.png', 'book-asset'],
    ['interview.mp4', 'video'],
    ['notes.xyz', 'other'],
  ])('%s is a %s', (name, category) => {
    expect(classify(`/home/a/${name}`)).toBe(category);
  });

  it('puts each category under the platform layout and keeps folder structure', () => {
    expect(buildObjectKey({ relativePath: 'Novel.pdf', category: 'manuscript' }, 'Novel.pdf')).toBe('books/content/Novel.pdf');
    expect(buildObjectKey({ relativePath: 'My Book/ch 1.mp3', category: 'audio' }, 'x')).toBe('audiobooks/chapters/My Book/ch 1.mp3');
    expect(buildObjectKey({ relativePath: 'a.mp3', category: 'audio-sample' }, 'x')).toBe('audiobooks/samples/a.mp3');
    expect(buildObjectKey({ relativePath: 'c.jpg', category: 'cover', destinationPrefix: 'series/one' }, 'x')).toBe('series/one/c.jpg');
  });

  it('names files by date and UUID with the dated template', () => {
    const key = buildObjectKey({ relativePath: 'x.PDF', category: 'manuscript', template: 'dated-uuid', now: new Date(Date.UTC(2026, 2, 5)) }, 'x');
    expect(key).toMatch(/^books\/content\/2026\/03\/[0-9a-f-]{36}\.pdf$/);
  });

  it('normalizes names to NFC so one file never lands on two keys', () => {
    const decomposed = 'Cafe\u0301.epub';
    expect(buildObjectKey({ relativePath: decomposed, category: 'manuscript' }, decomposed)).toBe('books/content/Caf\u00e9.epub');
  });

  // Titles escaped too: a raw U+202E in a test name would reorder the test runner's own output.
  it.each(refusedNames.map(([name, reason]) => ({ title: printable(name), name, reason })))('refuses $title with a message naming the file', ({ name, reason }) => {
    const error = refusalOf(name);
    expect(error.code).toBe('invalid_name');
    expect(error.message).toContain('/books/');
    expect(error.message).toMatch(reason);
  });

  it('names a refused file with its control and direction characters escaped, never raw', () => {
    for (const name of ['esc\u001b]0;owned\u0007.pdf', 'c1\u009b2J.pdf', 'invoice\u202egpj.exe', 'line\nbreak.pdf']) {
      const error = refusalOf(name);
      expect(error.message).not.toMatch(RAW_CONTROL);
      expect(error.message).toContain(`/books/${printable(name)}:`);
    }
    expect(refusalOf('invoice\u202egpj.exe').message).toContain('/books/invoice\\u202egpj.exe:');
    // The escaped label survives a destination prefix that is itself refused.
    const prefixed = refusalOf('a.pdf', '/books/a.pdf', 'series\u001b[2J/one');
    expect(prefixed.message).not.toMatch(RAW_CONTROL);
    expect(prefixed.message).toContain('series\\x1b[2J/one');
  });

  it('keeps right-to-left names: only the invisible direction marks are refused', () => {
    expect(buildObjectKey({ relativePath: 'كتابي/الفصل ١.pdf', category: 'manuscript' }, 'x')).toBe('books/content/كتابي/الفصل ١.pdf');
    expect(buildObjectKey({ relativePath: 'ספר.epub', category: 'manuscript' }, 'x')).toBe('books/content/ספר.epub');
  });

  it('refuses a destination prefix written with backslashes, saying to use /', () => {
    expect(() => buildObjectKey({ relativePath: 'a.pdf', category: 'manuscript', destinationPrefix: 'books\\content' }, 'a.pdf')).toThrow(/backslash.*use \/ between folders/);
  });

  it('refuses a destination prefix that climbs out', () => {
    expect(() => buildObjectKey({ relativePath: 'a.pdf', category: 'manuscript', destinationPrefix: 'books/../../x' }, 'a.pdf')).toThrow(/"\." and "\.\."/);
  });

  it('keeps a second file beside the first with a numbered name', () => {
    expect(suffixedKey('books/covers/cover.jpg', 2)).toBe('books/covers/cover (2).jpg');
    expect(suffixedKey('books/v1.0/README', 3)).toBe('books/v1.0/README (3)');
  });

  it('prints any text with control and direction characters as escapes', () => {
    expect(printable('a\u001b[31mb\u0085c\u202ed\te\nf')).toBe('a\\x1b[31mb\\x85c\\u202ed\\te\\nf');
    // Windows paths stay readable, and escaping twice changes nothing.
    expect(printable('C:\\Users\\me\\book.pdf')).toBe('C:\\Users\\me\\book.pdf');
    expect(printable(printable('x\u001by\u2067'))).toBe(printable('x\u001by\u2067'));
    expect(printable('Café ✓ كتاب')).toBe('Café ✓ كتاب');
  });

  it('prints JSON with those characters escaped and parsing back to the same values', () => {
    const value = { key: 'a\u0085b\u202ec\u001bd\u007f', list: [1, 'x'] };
    const json = printableJson(JSON.stringify(value, null, 2));
    // Pretty-printing's own line breaks are the only raw control characters left.
    expect(json.replaceAll('\n', '')).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(json)).toEqual(value);
  });

  it('sends the right content type', () => {
    expect(contentTypeFor('a.epub')).toBe('application/epub+zip');
    expect(contentTypeFor('a.unknown')).toBe('application/octet-stream');
  });
});
