import { describe, expect, it } from 'vitest';
import { ListPageReader, parseListPage } from '../src/main/core/s3/listingXml';

/** The listing answers a scan reads without the SDK: keys exactly as stored, whatever they hold. */
describe('reading a ListObjectsV2 page', () => {
  it('takes each key, size and date, the folders and the next token, wherever the server writes it', () => {
    const page = parseListPage(
      '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>books/</Prefix>' +
        '<MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>' +
        '<Contents><Key>books/a &amp; b &lt;draft&gt;.pdf</Key><LastModified>2026-12-02T05:55:19.919Z</LastModified><ETag>&quot;5d41&quot;</ETag><Size>5</Size><StorageClass>STANDARD</StorageClass></Contents>' +
        '<Contents><Key>books/caf&#233; &#x1F4DA;.epub</Key><LastModified>2026-12-01T00:00:00.000Z</LastModified><Size>123456789012</Size><Owner><ID>x</ID><DisplayName>Key</DisplayName></Owner></Contents>' +
        '<CommonPrefixes><Prefix>books/covers/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>books/R&amp;D/</Prefix></CommonPrefixes>' +
        '<KeyCount>4</KeyCount><NextContinuationToken>1/abc+def=</NextContinuationToken></ListBucketResult>',
    );
    expect(page.objects).toEqual([
      { key: 'books/a & b <draft>.pdf', size: 5, lastModified: Date.parse('2026-12-02T05:55:19.919Z') },
      { key: 'books/café 📚.epub', size: 123456789012, lastModified: Date.parse('2026-12-01T00:00:00.000Z') },
    ]);
    expect(page.prefixes).toEqual(['books/covers/', 'books/R&D/']);
    expect(page.nextToken).toBe('1/abc+def=');
  });

  it('reads the same page however the network cuts it into pieces', () => {
    const xml =
      '<ListBucketResult><Prefix>p/</Prefix><IsTruncated>true</IsTruncated>' +
      Array.from({ length: 30 }, (_, i) => `<Contents><Key>p/k&amp;${i}</Key><LastModified>2026-12-02T00:00:0${i % 10}.000Z</LastModified><Size>${i}</Size></Contents>`).join('') +
      '<CommonPrefixes><Prefix>p/q/</Prefix></CommonPrefixes><NextContinuationToken>tok&lt;en</NextContinuationToken></ListBucketResult>';
    const whole = parseListPage(xml);
    expect(whole.objects).toHaveLength(30);
    expect(whole.objects[29]).toEqual({ key: 'p/k&29', size: 29, lastModified: Date.parse('2026-12-02T00:00:09.000Z') });
    expect(whole.nextToken).toBe('tok<en');
    for (const size of [1, 2, 3, 7, 10, 64, 333]) {
      const objects: unknown[] = [];
      const reader = new ListPageReader((key, bytes, lastModified) => objects.push({ key, size: bytes, lastModified }));
      for (let at = 0; at < xml.length; at += size) reader.push(xml.slice(at, at + size));
      expect({ objects, ...reader.end() }, `pieces of ${size}`).toEqual(whole);
    }
  });

  it('ends at the last page, and reads an empty bucket', () => {
    expect(parseListPage('<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>x</Key><Size>1</Size></Contents></ListBucketResult>').nextToken).toBeNull();
    expect(parseListPage('<ListBucketResult><Name>b</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>')).toEqual({ objects: [], prefixes: [], nextToken: null });
  });

  it('refuses an answer cut off inside an entry rather than count part of it', () => {
    expect(() => parseListPage('<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>x</Key><Size>1</Size>')).toThrow(/ended inside/);
    // Cut between two entries: it would pass for a whole page of one object.
    expect(() => parseListPage('<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>x</Key><Size>1</Size></Contents>')).toThrow(/ended before its last line/);
  });
});
