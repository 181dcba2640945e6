/**
 * The file formats the resources library accepts, and how each is recognised and
 * served. A file must have one of these extensions AND start the way that format
 * starts, so a renamed file (an HTML page called .pdf) never goes out with a trusted
 * content type.
 */

export interface ResourceFormat {
  /** What readers see: "PDF", "Word document"… */
  label: string;
  /** The Content-Type the file is served with. */
  mime: string;
  /** Whether the first bytes of the file fit the format. */
  matches: (head: Uint8Array) => boolean;
}

const startsWith = (...signature: number[]) => (head: Uint8Array) => signature.every((byte, i) => head[i] === byte);
// DOCX, XLSX, PPTX and ODT are ZIP archives: "PK\x03\x04".
const zip = startsWith(0x50, 0x4b, 0x03, 0x04);
/** CSV is text: no NUL byte in what we read, and valid UTF-8. */
const text = (head: Uint8Array) => !head.includes(0) && isUtf8Prefix(head);

/** Valid UTF-8, allowing a character cut off at the end of what was read (stream mode). */
function isUtf8Prefix(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

export const resourceFormats = {
  pdf: { label: 'PDF', mime: 'application/pdf', matches: startsWith(0x25, 0x50, 0x44, 0x46, 0x2d) }, // "%PDF-"
  docx: { label: 'Word document', mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', matches: zip },
  xlsx: { label: 'Excel spreadsheet', mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', matches: zip },
  pptx: { label: 'PowerPoint presentation', mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', matches: zip },
  odt: { label: 'OpenDocument text', mime: 'application/vnd.oasis.opendocument.text', matches: zip },
  csv: { label: 'CSV', mime: 'text/csv; charset=utf-8', matches: text },
  png: { label: 'PNG image', mime: 'image/png', matches: startsWith(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a) },
  jpeg: { label: 'JPEG image', mime: 'image/jpeg', matches: startsWith(0xff, 0xd8, 0xff) },
} as const satisfies Record<string, ResourceFormat>;

export type ResourceFormatKey = keyof typeof resourceFormats;
export const resourceFormatKeys = Object.keys(resourceFormats) as [ResourceFormatKey, ...ResourceFormatKey[]];

/** The largest file the library accepts: 25 MB. */
export const MAX_RESOURCE_BYTES = 25 * 1024 * 1024;

/** How many leading bytes are read to recognise a format. */
export const SIGNATURE_BYTES = 512;

const extensions: Record<string, ResourceFormatKey> = {
  pdf: 'pdf',
  docx: 'docx',
  xlsx: 'xlsx',
  pptx: 'pptx',
  odt: 'odt',
  csv: 'csv',
  png: 'png',
  jpg: 'jpeg',
  jpeg: 'jpeg',
};

/** The format a file name's extension names, or undefined when it is not one we accept. */
export function formatOfFileName(name: string): ResourceFormatKey | undefined {
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  return ext ? extensions[ext] : undefined;
}

/** The extensions editors may use, for error messages: ".pdf, .docx, …". */
export const acceptedExtensions = Object.keys(extensions).map((e) => `.${e}`).join(', ');

/**
 * GOV.UK style sizes: "812 bytes", "45 KB", "1.2 MB" (1 KB = 1,024 bytes, as file
 * managers count them).
 */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  const mb = bytes / (1024 * 1024);
  return `${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
}
