/**
 * Streaming XML reader for scanner exports, built on saxes and used by every
 * XML scanner parser (Nessus, Tenable WAS, Qualys, Greenbone, Nexpose). It
 * reads the file as a byte stream, decodes it in the encoding the XML
 * declaration names, and yields the subtrees of selected elements one at a time. The file stream is read further
 * only when the caller asks for the next subtree, so memory use is a few read
 * chunks plus the subtree being built, whatever the file size.
 *
 * Safety: saxes never fetches anything, so an external DTD reference is
 * ignored. Any internal `<!ENTITY` declaration is rejected, so neither external
 * entities (XXE) nor entity expansion (billion laughs) can occur. Every other
 * saxes error, such as a truncated file or an undefined entity, becomes an
 * `ImportFormatError` with the line.
 */

import { createReadStream } from 'node:fs';

import { type SaxesTagPlain, SaxesParser } from 'saxes';

import { ImportFormatError } from '../../domain/errors.js';
import { XmlByteDecoder } from './xml-decode.js';

/** An element read with its whole subtree. */
export interface XmlElement {
  /** Qualified name as written, prefix included (`cm:compliance-result`). */
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Character data directly inside this element (text and CDATA), untrimmed. */
  text: string;
  /** Length of the parent's `text` when this element started, so that mixed content can be rebuilt in document order (see `mixedContent`). */
  textOffset: number;
  /** 1-based line where the start tag ends. */
  line: number;
}

/** The document's root start tag. */
export interface XmlRoot {
  name: string;
  attributes: Record<string, string>;
  line: number;
}

export interface ReadXmlElementsOptions {
  /** File name used in error messages. Defaults to the path. */
  fileName?: string;
  /**
   * Decides which elements to yield. `path` lists the element names from the
   * root down to the candidate, both included. Elements inside a selected
   * subtree are part of it and are not offered again.
   */
  select: (path: readonly string[]) => boolean;
  /** Called with the root start tag before anything is yielded. Throwing from it rejects the document. */
  onRoot?: (root: XmlRoot) => void;
  /**
   * Name of an element, written `<name>` without attributes, whose content is
   * passed over without parsing. The parser receives the first such element
   * with only the newlines of its content. Meant for large sections the caller
   * never reads, such as the scan policy of a Nessus file. Their bytes are
   * still checked against the encoding, and a file that ends inside one is
   * still reported as truncated, but markup errors inside one go unnoticed.
   */
  skipContentOf?: string;
}

/**
 * Reads an XML file and yields each selected element with its subtree, in
 * document order.
 *
 * @throws ImportFormatError when the XML is not well-formed or is truncated,
 *   declares an entity, uses an undefined entity, declares an unsupported
 *   encoding, or contains bytes invalid in its encoding. Subtrees before the
 *   error have been yielded by then. File system errors are passed through.
 */
export async function* readXmlElements(path: string, options: ReadXmlElementsOptions): AsyncGenerator<XmlElement> {
  const file = options.fileName ?? path;
  const decoder = new XmlByteDecoder(file);
  const collector = new SubtreeCollector(file, options);
  const skipper = options.skipContentOf === undefined ? null : new ContentSkipper(options.skipContentOf);
  const stream = createReadStream(path);

  try {
    for await (const chunk of stream) {
      const text = decoder.push(chunk as Buffer);
      collector.write(skipper === null ? text : skipper.filter(text));
      yield* collector.takeCompleted();
    }

    const tail = decoder.end();
    collector.write(skipper === null ? tail : skipper.filter(tail) + skipper.end());
    collector.close();
    yield* collector.takeCompleted();
  } finally {
    stream.destroy();
  }
}

/** Feeds text to saxes and collects the selected subtrees as they close. */
class SubtreeCollector {
  private readonly parser = new SaxesParser<{ xmlns: false; position: true }>({ xmlns: false, position: true });
  private readonly path: string[] = [];
  private readonly open: XmlElement[] = [];
  private completed: XmlElement[] = [];

  constructor(
    private readonly file: string,
    private readonly options: ReadXmlElementsOptions,
  ) {
    this.parser.on('doctype', (doctype) => this.checkDoctype(doctype));
    this.parser.on('opentag', (tag) => this.openElement(tag));
    this.parser.on('text', (text) => this.addText(text));
    this.parser.on('cdata', (text) => this.addText(text));
    this.parser.on('closetag', () => this.closeElement());
    // saxes calls this handler and then keeps parsing, so throwing here is what stops at the first error.
    this.parser.on('error', (error) => {
      throw new ImportFormatError(this.file, this.parser.line, error.message.replace(/^\d+:\d+: /, ''));
    });
  }

  write(text: string): void {
    if (text !== '') this.parser.write(text);
  }

  close(): void {
    this.parser.close();
  }

  takeCompleted(): XmlElement[] {
    const done = this.completed;
    this.completed = [];
    return done;
  }

  /** Rejects internal entity declarations. saxes reports the doctype at its end, so the line is counted back. */
  private checkDoctype(doctype: string): void {
    const at = doctype.search(/<!ENTITY/i);
    if (at === -1) return;

    const newlinesAfter = doctype.slice(at).split('\n').length - 1;
    throw new ImportFormatError(
      this.file,
      this.parser.line - newlinesAfter,
      'the document type declares an entity (<!ENTITY); entity declarations are rejected because they enable XXE and entity expansion attacks',
    );
  }

  private openElement(tag: SaxesTagPlain): void {
    this.path.push(tag.name);
    const line = this.parser.line;

    if (this.path.length === 1) {
      this.options.onRoot?.({ name: tag.name, attributes: tag.attributes, line });
    }

    const parent = this.open.at(-1);
    if (parent === undefined && !this.options.select(this.path)) return;

    const element: XmlElement = { name: tag.name, attributes: tag.attributes, children: [], text: '', textOffset: parent?.text.length ?? 0, line };
    parent?.children.push(element);
    this.open.push(element);
  }

  private addText(text: string): void {
    const current = this.open.at(-1);
    if (current !== undefined) current.text += text;
  }

  private closeElement(): void {
    this.path.pop();
    const element = this.open.pop();
    if (element !== undefined && this.open.length === 0) this.completed.push(element);
  }
}

/**
 * Passes decoded text through, except the content of the first `<name>`
 * element, which it replaces with the newlines it contained so the parser's
 * line numbers stay true. Markers split across two chunks are found because
 * the last few characters wait for the next chunk.
 */
class ContentSkipper {
  private readonly openingTag: string;
  private readonly closingTag: string;
  private state: 'searching' | 'skipping' | 'done' = 'searching';
  private carry = '';

  constructor(name: string) {
    this.openingTag = `<${name}>`;
    this.closingTag = `</${name}>`;
  }

  filter(text: string): string {
    if (this.state === 'done') return text;

    let input = this.carry + text;
    this.carry = '';
    let passed = '';

    if (this.state === 'searching') {
      const at = input.indexOf(this.openingTag);
      if (at < 0) {
        const keep = Math.min(input.length, this.openingTag.length - 1);
        this.carry = input.slice(input.length - keep);
        return input.slice(0, input.length - keep);
      }
      passed = input.slice(0, at + this.openingTag.length);
      input = input.slice(at + this.openingTag.length);
      this.state = 'skipping';
    }

    const at = input.indexOf(this.closingTag);
    if (at < 0) {
      const keep = Math.min(input.length, this.closingTag.length - 1);
      this.carry = input.slice(input.length - keep);
      return passed + newlinesOf(input.slice(0, input.length - keep));
    }
    this.state = 'done';
    return passed + newlinesOf(input.slice(0, at)) + input.slice(at);
  }

  /** Returns the text still held back. Inside a skipped element only its newlines remain, so the parser reports that element as unclosed. */
  end(): string {
    const rest = this.carry;
    this.carry = '';
    return this.state === 'skipping' ? newlinesOf(rest) : rest;
  }
}

function newlinesOf(text: string): string {
  let count = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) count += 1;
  return '\n'.repeat(count);
}

/** Returns the trimmed text of the first child with this name, or null when it is absent or empty. */
export function childText(element: XmlElement, name: string): string | null {
  const text = element.children.find((child) => child.name === name)?.text.trim();
  return text === undefined || text === '' ? null : text;
}

/**
 * Returns an element's content in document order: runs of its own text between
 * its child elements. `<p>See <a>the note</a> first.</p>` gives
 * `['See ', <a>, ' first.']`.
 */
export function mixedContent(element: XmlElement): (string | XmlElement)[] {
  const parts: (string | XmlElement)[] = [];
  let at = 0;

  for (const child of element.children) {
    if (child.textOffset > at) parts.push(element.text.slice(at, child.textOffset));
    parts.push(child);
    at = child.textOffset;
  }

  if (element.text.length > at) parts.push(element.text.slice(at));
  return parts;
}
