/**
 * Byte-to-text decoding for the streaming XML reader and the CSV reader. It
 * picks the encoding from a byte order mark or the XML declaration, and reports
 * bytes that are invalid in that encoding as an `ImportFormatError` with the
 * exact line.
 */

import { ImportFormatError } from '../../domain/errors.js';

/**
 * Encoding labels accepted in the XML declaration, mapped to WHATWG
 * `TextDecoder` labels. ASCII is read as UTF-8, its superset.
 *
 * NOTE: the WHATWG Encoding Standard, which Node's `TextDecoder` follows,
 * decodes ISO-8859-1 labels as windows-1252. Bytes 0x80-0x9F therefore become
 * characters such as "€", not the C1 control codes of true ISO-8859-1.
 */
const ENCODINGS = new Map<string, string>([
  ['utf-8', 'utf-8'],
  ['utf8', 'utf-8'],
  ['us-ascii', 'utf-8'],
  ['ascii', 'utf-8'],
  ['iso-8859-1', 'windows-1252'],
  ['iso8859-1', 'windows-1252'],
  ['iso_8859-1', 'windows-1252'],
  ['latin1', 'windows-1252'],
  ['l1', 'windows-1252'],
  ['windows-1252', 'windows-1252'],
  ['cp1252', 'windows-1252'],
]);

/** Enough bytes to hold any real XML declaration. */
const SNIFF_BYTES = 1024;

/** Bytes held back while waiting for a newline before decoding anyway. */
const MAX_PENDING_BYTES = 1 << 20;

const NEWLINE = 0x0a;

/**
 * Decodes bytes to text with a fatal `TextDecoder` in streaming mode. Bytes are
 * decoded up to the last newline seen, so that on invalid bytes the failing
 * piece can be decoded again line by line to name the exact line.
 */
export class XmlByteDecoder {
  private decoder: TextDecoder | null = null;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private decodedLines = 0;

  constructor(
    private readonly file: string,
    /** False for a text format without an XML declaration, such as CSV, which is then read as UTF-8. */
    private readonly readsXmlDeclaration = true,
  ) {}

  /** Takes the next chunk and returns the text it completes, possibly empty. */
  push(chunk: Buffer): string {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;

    if (this.decoder === null) {
      if (this.pendingBytes < SNIFF_BYTES) return '';
      this.decoder = openDecoder(Buffer.concat(this.pending), this.file, this.readsXmlDeclaration);
    }

    const lastNewline = chunk.lastIndexOf(NEWLINE);
    if (lastNewline === -1 && this.pendingBytes < MAX_PENDING_BYTES) return '';

    const bytes = Buffer.concat(this.pending);
    const cut = lastNewline === -1 ? characterBoundary(bytes) : bytes.length - chunk.length + lastNewline + 1;
    this.pending = [bytes.subarray(cut)];
    this.pendingBytes = bytes.length - cut;
    return this.decode(bytes.subarray(0, cut), false);
  }

  /** Decodes the remaining bytes. Call it once, after the last chunk. */
  end(): string {
    const bytes = Buffer.concat(this.pending);
    this.pending = [];
    this.decoder ??= openDecoder(bytes, this.file, this.readsXmlDeclaration);
    return this.decode(bytes, true);
  }

  private decode(bytes: Buffer, isLast: boolean): string {
    const decoder = this.decoder;
    if (decoder === null) throw new Error('XmlByteDecoder.decode called before the encoding was known');

    try {
      // Streaming mode even for the last bytes: on Node 20.20.2 a non-streaming
      // windows-1252 decode takes a fast path that reads 0x80-0x9F as ISO-8859-1.
      // The empty final call still raises on a sequence cut off at the end.
      let text = decoder.decode(bytes, { stream: true });
      if (isLast) text += decoder.decode();
      this.decodedLines += countNewlines(bytes);
      return text;
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      const line = this.decodedLines + firstInvalidLine(bytes, decoder.encoding);
      const fix = this.readsXmlDeclaration ? 'save the file as UTF-8 or declare its real encoding in the XML declaration' : 'save the file as UTF-8';
      throw new ImportFormatError(this.file, line, `bytes are not valid ${decoder.encoding}; ${fix}`);
    }
  }
}

/** Chooses the decoder from a byte order mark or the XML declaration's encoding, defaulting to UTF-8. */
function openDecoder(head: Buffer, file: string, readsXmlDeclaration: boolean): TextDecoder {
  if ((head[0] === 0xfe && head[1] === 0xff) || (head[0] === 0xff && head[1] === 0xfe)) {
    throw new ImportFormatError(file, 1, 'UTF-16 files are not supported; save the file as UTF-8');
  }
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
    return new TextDecoder('utf-8', { fatal: true });
  }

  if (!readsXmlDeclaration) return new TextDecoder('utf-8', { fatal: true });

  const start = head.subarray(0, SNIFF_BYTES).toString('latin1');
  const declaration = /^<\?xml\s[^>]*?\?>/.exec(start)?.[0];
  const label = declaration === undefined ? undefined : /\sencoding\s*=\s*["']([^"']*)["']/.exec(declaration)?.[1];
  if (label === undefined) {
    return new TextDecoder('utf-8', { fatal: true });
  }

  const encoding = ENCODINGS.get(label.toLowerCase());
  if (encoding === undefined) {
    throw new ImportFormatError(
      file,
      1,
      `unsupported encoding "${label}" in the XML declaration; supported: UTF-8, ISO-8859-1, windows-1252`,
    );
  }
  return new TextDecoder(encoding, { fatal: true });
}

/**
 * Finds where to cut a piece without splitting a UTF-8 sequence: before a lead
 * byte near the end whose sequence is not complete yet.
 */
function characterBoundary(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(4, bytes.length); back += 1) {
    const byte = bytes[bytes.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue;

    return utf8SequenceLength(byte) > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

/** Length of the UTF-8 sequence a lead byte starts. */
function utf8SequenceLength(leadByte: number): number {
  if (leadByte >= 0xf0) return 4;
  if (leadByte >= 0xe0) return 3;
  if (leadByte >= 0xc0) return 2;
  return 1;
}

function countNewlines(bytes: Buffer): number {
  let count = 0;
  for (let i = bytes.indexOf(NEWLINE); i !== -1; i = bytes.indexOf(NEWLINE, i + 1)) count += 1;
  return count;
}

/** Returns the 1-based line within `bytes` of the first line a fresh decoder rejects. */
function firstInvalidLine(bytes: Buffer, encoding: string): number {
  let line = 1;
  let start = 0;
  while (start <= bytes.length) {
    const newline = bytes.indexOf(NEWLINE, start);
    const end = newline === -1 ? bytes.length : newline;
    try {
      new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    if (newline === -1) break;
    start = newline + 1;
    line += 1;
  }
  return line;
}
