import { describe, expect, it } from 'vitest';
import { encodeKey, objectUrl } from '../src/shared/objectUrl';

const spaces = { endpoint: 'https://nyc3.digitaloceanspaces.com', bucket: 'my-books', cdnBaseUrl: null, pathStyle: false };

describe('objectUrl', () => {
  it('uses the CDN base when the connection has one, with or without a trailing slash', () => {
    expect(objectUrl({ ...spaces, cdnBaseUrl: 'https://cdn.example.com' }, 'books/covers/a.jpg')).toBe('https://cdn.example.com/books/covers/a.jpg');
    expect(objectUrl({ ...spaces, cdnBaseUrl: 'https://cdn.example.com/media/' }, 'a.jpg')).toBe('https://cdn.example.com/media/a.jpg');
  });

  it('is virtual-hosted on Spaces and AWS', () => {
    expect(objectUrl(spaces, 'books/content/novel.pdf')).toBe('https://my-books.nyc3.digitaloceanspaces.com/books/content/novel.pdf');
  });

  it('puts the bucket in the path for path-style servers', () => {
    expect(objectUrl({ endpoint: 'http://127.0.0.1:7480/', bucket: 'quire', cdnBaseUrl: null, pathStyle: true }, 'a/b.wav')).toBe('http://127.0.0.1:7480/quire/a/b.wav');
  });

  it('encodes each segment of the key and keeps its slashes', () => {
    expect(encodeKey('books/my novel/ch#1?.pdf')).toBe('books/my%20novel/ch%231%3F.pdf');
    expect(objectUrl(spaces, 'books/Zoë & co/100%.txt')).toBe('https://my-books.nyc3.digitaloceanspaces.com/books/Zo%C3%AB%20%26%20co/100%25.txt');
  });
});
