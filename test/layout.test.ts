import { describe, expect, it } from 'vitest';
import { classify, contentTypeFor } from '../src/main/core/layout/classify';
import { buildObjectKey, suffixedKey } from '../src/main/core/layout/objectKey';
import { QuireError } from '../src/main/core/errors';

describe('where files go', () => {
  it.each([
    ['Novel.pdf', 'manuscript'],
    ['draft.DOCX', 'manuscript'],
    ['book.epub', 'manuscript'],
    ['chapter-01.wav', 'audio'],
    ['full.m4b', 'audio'],
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

  it.each([
    ['../escape.pdf', /"\." and "\.\."/],
    ['a/../../b.pdf', /"\." and "\.\."/],
    ['/etc/passwd', /absolute path/],
    ['line\nbreak.pdf', /control characters/],
    ['tab\t.pdf', /control characters/],
    [`${'x'.repeat(1100)}.pdf`, /1,024/],
  ])('refuses %j with a message naming the file', (name, reason) => {
    let error: unknown;
    try {
      buildObjectKey({ relativePath: name, category: 'manuscript' }, `/books/${name}`);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(QuireError);
    expect((error as QuireError).code).toBe('invalid_name');
    expect((error as QuireError).message).toContain('/books/');
    expect((error as QuireError).message).toMatch(reason);
  });

  it('refuses a destination prefix that climbs out', () => {
    expect(() => buildObjectKey({ relativePath: 'a.pdf', category: 'manuscript', destinationPrefix: 'books/../../x' }, 'a.pdf')).toThrow(/"\." and "\.\."/);
  });

  it('keeps a second file beside the first with a numbered name', () => {
    expect(suffixedKey('books/covers/cover.jpg', 2)).toBe('books/covers/cover (2).jpg');
    expect(suffixedKey('books/v1.0/README', 3)).toBe('books/v1.0/README (3)');
  });

  it('sends the right content type', () => {
    expect(contentTypeFor('a.epub')).toBe('application/epub+zip');
    expect(contentTypeFor('a.unknown')).toBe('application/octet-stream');
  });
});
