import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatOfFileName, formatSize, MAX_RESOURCE_BYTES, resourceFormats } from '#lib/resources/formats.ts';
import { resourceFileFacts } from '#lib/resources/file-facts.ts';
import { downloadResponse, parseRange } from '#lib/resources/download.ts';

const PDF = Buffer.from('%PDF-1.7\n% a tiny test file\n%%EOF\n');

describe('accepted formats', () => {
  it('knows each format by its extension, in any case', () => {
    expect(formatOfFileName('a.pdf')).toBe('pdf');
    expect(formatOfFileName('A.PDF')).toBe('pdf');
    expect(formatOfFileName('photo.jpg')).toBe('jpeg');
    expect(formatOfFileName('table.xlsx')).toBe('xlsx');
    for (const name of ['page.html', 'run.exe', 'archive.zip', 'notes.txt', 'no-extension', 'svg.svg']) expect(formatOfFileName(name), name).toBeUndefined();
  });

  it('recognises each format by its first bytes', () => {
    expect(resourceFormats.pdf.matches(PDF)).toBe(true);
    expect(resourceFormats.pdf.matches(Buffer.from('<html>'))).toBe(false);
    expect(resourceFormats.docx.matches(Buffer.from('PK\x03\x04rest', 'latin1'))).toBe(true);
    expect(resourceFormats.png.matches(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe(true);
    expect(resourceFormats.jpeg.matches(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe(true);
    expect(resourceFormats.csv.matches(Buffer.from('Name,Role\r\nA,B\r\n'))).toBe(true);
    expect(resourceFormats.csv.matches(Buffer.from([0x41, 0x00, 0x42]))).toBe(false);
    expect(resourceFormats.csv.matches(Buffer.from([0x41, 0xc3]))).toBe(true); // a character cut off at the end of what was read
    expect(resourceFormats.csv.matches(Buffer.from([0x41, 0xff, 0x42]))).toBe(false);
  });

  it('writes sizes the GOV.UK way', () => {
    expect(formatSize(1)).toBe('1 byte');
    expect(formatSize(812)).toBe('812 bytes');
    expect(formatSize(1024)).toBe('1 KB');
    expect(formatSize(7313)).toBe('7 KB');
    expect(formatSize(1.25 * 1024 * 1024)).toBe('1.3 MB');
    expect(formatSize(MAX_RESOURCE_BYTES)).toBe('25 MB');
  });
});

describe('measuring a resource file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nmsn-resource-facts-'));
  const collection = join(dir, 'resources');
  mkdirSync(join(collection, 'files'), { recursive: true });
  const entry = join(collection, 'checklist.mdx');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const put = (name: string, bytes: Buffer | string) => writeFileSync(join(collection, name), bytes);

  it('reads format, size and checksum from a file beside the entry or in a folder', () => {
    put('checklist.pdf', PDF);
    put('files/sheet.csv', 'a,b\r\n1,2\r\n');
    expect(resourceFileFacts(entry, './checklist.pdf', collection)).toEqual({
      fileName: 'checklist.pdf',
      format: 'pdf',
      bytes: PDF.length,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(resourceFileFacts(entry, 'files/sheet.csv', collection)).toMatchObject({ fileName: 'sheet.csv', format: 'csv', bytes: 10 });
  });

  it.each([
    ['a missing file', './nowhere.pdf', /does not exist/],
    ['a file outside the resources folder', '../secrets.pdf', /outside the resources folder/],
    ['an absolute path', '/etc/passwd', /relative to the entry/],
    ['a format we do not accept', './page.html', /not a format the library accepts.*\.pdf, \.docx/],
    ['a file name with spaces', './my file.pdf', /letters, digits/],
    ['an HTML page named .pdf', './fake.pdf', /not a PDF file/],
    ['an empty file', './empty.pdf', /is empty/],
    ['a file over 25 MB', './huge.pdf', /26 MB; files may be at most 25 MB/],
  ])('refuses %s, naming the entry and the file field', (_what, file, message) => {
    put('../secrets.pdf', PDF);
    put('page.html', '<html></html>');
    put('my file.pdf', PDF);
    put('fake.pdf', '<!doctype html><title>not a pdf</title>');
    put('empty.pdf', '');
    put('huge.pdf', PDF);
    truncateSync(join(collection, 'huge.pdf'), 26 * 1024 * 1024);
    expect(() => resourceFileFacts(entry, file, collection)).toThrow(/checklist\.mdx: file: /);
    expect(() => resourceFileFacts(entry, file, collection)).toThrow(message);
  });
});

describe('Range requests', () => {
  it('reads one byte range, as RFC 9110 writes them', () => {
    expect(parseRange('bytes=0-99', 1000)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=500-', 1000)).toEqual({ start: 500, end: 999 });
    expect(parseRange('bytes=-100', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=900-5000', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=-5000', 1000)).toEqual({ start: 0, end: 999 });
  });

  it('answers in full when there is no usable range', () => {
    for (const header of [null, '', 'items=0-5', 'bytes=5-1', 'bytes=0-1,5-9', 'bytes=-', 'bytes=abc']) expect(parseRange(header, 1000), String(header)).toBeNull();
  });

  it('says when a range starts past the end', () => {
    expect(parseRange('bytes=1000-', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 1000)).toBe('unsatisfiable');
  });
});

describe('the download response', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nmsn-download-'));
  const path = join(dir, 'pack.docx');
  const content = Buffer.from('PK\x03\x04' + 'x'.repeat(96), 'latin1');
  writeFileSync(path, content);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = { path, fileName: 'pack.docx', mime: resourceFormats.docx.mime, bytes: content.length, sha256: 'ab'.repeat(32) };
  const get = (headers: Record<string, string> = {}, method = 'GET') => downloadResponse(file, new Request('http://portal.test/x', { method, headers }));

  it('is always a download of the right type, never sniffed or cached', async () => {
    const response = get();
    expect(response.status).toBe(200);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'content-type': resourceFormats.docx.mime,
      'content-disposition': 'attachment; filename="pack.docx"',
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
      'accept-ranges': 'bytes',
      'content-length': '100',
      etag: `"${'ab'.repeat(32)}"`,
    });
    expect(Buffer.from(await response.arrayBuffer())).toEqual(content);
  });

  it('sends the part asked for with 206 and Content-Range', async () => {
    const response = get({ range: 'bytes=4-13' });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe('bytes 4-13/100');
    expect(response.headers.get('content-length')).toBe('10');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(content.subarray(4, 14));
  });

  it('answers 416 to a range past the end', () => {
    const response = get({ range: 'bytes=100-' });
    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe('bytes */100');
  });

  it('sends the whole file when If-Range names another version', () => {
    expect(get({ range: 'bytes=4-13', 'if-range': '"old"' }).status).toBe(200);
    expect(get({ range: 'bytes=4-13', 'if-range': `"${'ab'.repeat(32)}"` }).status).toBe(206);
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = get({}, 'HEAD');
    expect(response.headers.get('content-length')).toBe('100');
    expect(response.body).toBeNull();
  });
});
