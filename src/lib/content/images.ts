/**
 * Which images the library accepts, for the content checks and for uploads through the
 * browser editor alike: raster formats only (an SVG is a document that can carry
 * script), recognised by their first bytes rather than their names, and no larger than
 * IMAGE_MAX_BYTES.
 */

export const IMAGE_MAX_BYTES = 5 * 1024 * 1024;

export type RasterFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'avif';

/** File name endings for each format. */
const extensions: Record<string, RasterFormat> = { png: 'png', jpg: 'jpeg', jpeg: 'jpeg', gif: 'gif', webp: 'webp', avif: 'avif' };

export const allowedImageExtensions = Object.keys(extensions);

/** The format the bytes are, by their signature, or null when they are no raster image we accept. */
export function sniffRasterFormat(bytes: Uint8Array): RasterFormat | null {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  const ascii = (offset: number, text: string) => [...text].every((c, i) => bytes[offset + i] === c.charCodeAt(0));
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (starts(0xff, 0xd8, 0xff)) return 'jpeg';
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return 'gif';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'webp';
  if (ascii(4, 'ftypavif') || ascii(4, 'ftypavis')) return 'avif';
  return null;
}

/** The format a file name claims, or null. */
export function formatFromName(name: string): RasterFormat | null {
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  return (ext && extensions[ext]) || null;
}

/**
 * Why an image file is refused, in words for its author, or null when it is fine.
 * `head` is the file's first bytes (16 are enough), `size` its length.
 */
export function imageProblem(name: string, size: number, head: Uint8Array): string | null {
  const claimed = formatFromName(name);
  if (!claimed) {
    return /\.svg$/i.test(name)
      ? 'SVG images are not accepted (they can carry script): use PNG, JPEG, GIF, WebP or AVIF'
      : `${name} is not an accepted image type: use PNG, JPEG, GIF, WebP or AVIF`;
  }
  if (size > IMAGE_MAX_BYTES) {
    return `${name} is ${(size / 1024 / 1024).toFixed(1)} MB; images may be at most ${IMAGE_MAX_BYTES / 1024 / 1024} MB`;
  }
  const actual = sniffRasterFormat(head);
  if (!actual) return `${name} is not a readable PNG, JPEG, GIF, WebP or AVIF image`;
  if (actual !== claimed) return `${name} is named as ${claimed.toUpperCase()} but is ${actual.toUpperCase()}: give it the right ending`;
  return null;
}
