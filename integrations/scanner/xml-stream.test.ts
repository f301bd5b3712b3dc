import { describe, expect, it } from 'vitest';

import { formatError } from './scanner-test-support.js';
import { type ReadXmlElementsOptions, type XmlElement, childText, readXmlElements } from './xml-stream.js';
import { scratchFiles } from '../../test/scratch-files.js';

const writeTemp = scratchFiles('patchwarden-xml-');


const selectItems: ReadXmlElementsOptions = { select: (path) => path.at(-1) === 'item' };

async function readItems(path: string, options: ReadXmlElementsOptions = selectItems): Promise<XmlElement[]> {
  const items: XmlElement[] = [];
  for await (const item of readXmlElements(path, options)) items.push(item);
  return items;
}

describe('readXmlElements', () => {
  it('yields selected subtrees', async () => {
    const path = await writeTemp('items.xml', '<list><item id="1"><name>a</name></item><item id="2"><name>b</name></item></list>');

    const items = await readItems(path);

    expect(items.map((item) => item.attributes['id'])).toEqual(['1', '2']);
    expect(items.map((item) => childText(item, 'name'))).toEqual(['a', 'b']);
  });

  it('keeps nested matches inside their subtree', async () => {
    const path = await writeTemp('nested.xml', '<list><item id="outer"><item id="inner"/></item></list>');

    const items = await readItems(path);

    expect(items).toHaveLength(1);
    expect(items[0]?.children[0]?.attributes['id']).toBe('inner');
  });

  it('passes the path from the root', async () => {
    const path = await writeTemp('paths.xml', '<a><b><item/></b><item/></a>');
    const seen: string[] = [];

    const recordPath = (elementPath: readonly string[]): boolean => {
      seen.push(elementPath.join('/'));
      return false;
    };

    await readItems(path, { select: recordPath });

    expect(seen).toEqual(['a', 'a/b', 'a/b/item', 'a/item']);
  });

  it('reads CDATA and entities as text', async () => {
    const path = await writeTemp('text.xml', '<list><item><![CDATA[<b>]]> &amp; &#233;</item></list>');

    const [item] = await readItems(path);

    expect(item?.text).toBe('<b> & é');
  });

  it('reports the root element', async () => {
    const path = await writeTemp('root.xml', '<?xml version="1.0"?>\n<list version="2"/>');
    const roots: string[] = [];

    await readItems(path, { ...selectItems, onRoot: (root) => roots.push(`${root.name}@${root.line}:${root.attributes['version']}`) });

    expect(roots).toEqual(['list@2:2']);
  });

  it('records element lines', async () => {
    const path = await writeTemp('lines.xml', '<list>\n\n<item/>\n<item/>\n</list>');

    const items = await readItems(path);

    expect(items.map((item) => item.line)).toEqual([3, 4]);
  });
});

describe('readXmlElements safety', () => {
  it('rejects an XXE entity naming its line', async () => {
    const xml = '<?xml version="1.0"?>\n<!DOCTYPE x [\n<!ENTITY e SYSTEM "file:///etc/passwd">\n]>\n<list><item>&e;</item></list>';
    const path = await writeTemp('xxe.xml', xml);

    const error = await formatError(readItems(path));

    expect(error.file).toBe(path);
    expect(error.line).toBe(3);
    expect(error.reason).toMatch(/<!ENTITY/);
  });

  it('rejects billion laughs naming the line', async () => {
    const entities = ['<!ENTITY lol "lol">'];
    for (let level = 1; level <= 9; level += 1) {
      entities.push(`<!ENTITY lol${level} "${`&lol${level === 1 ? '' : level - 1};`.repeat(10)}">`);
    }
    const xml = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n ${entities.join('\n ')}\n]>\n<list><item>&lol9;</item></list>`;
    const path = await writeTemp('laughs.xml', xml);

    const error = await formatError(readItems(path));

    expect(error.line).toBe(3);
    expect(error.reason).toMatch(/entity/);
  });

  it('ignores an external DTD reference', async () => {
    const xml = '<?xml version="1.0"?>\n<!DOCTYPE list SYSTEM "http://example.invalid/x.dtd">\n<list><item>ok</item></list>';
    const path = await writeTemp('external-dtd.xml', xml);

    const items = await readItems(path);

    expect(items.map((item) => item.text)).toEqual(['ok']);
  });

  it('rejects an undefined entity', async () => {
    const path = await writeTemp('undefined-entity.xml', '<list>\n<item>&nbsp;</item>\n</list>');

    const error = await formatError(readItems(path));

    expect(error.line).toBe(2);
    expect(error.reason).toBe('undefined entity.');
  });

  it('rejects a truncated file', async () => {
    const path = await writeTemp('truncated.xml', '<?xml version="1.0"?>\n<list>\n<item>one</item>\n<item>tw');

    const error = await formatError(readItems(path));

    expect(error.file).toBe(path);
    expect(error.line).toBe(4);
    expect(error.reason).toMatch(/unclosed tag/);
  });

  it('rejects an empty file', async () => {
    const path = await writeTemp('empty.xml', '');

    const error = await formatError(readItems(path));

    expect(error.line).toBe(1);
    expect(error.reason).toMatch(/root element/);
  });

  it('names the file as the caller does', async () => {
    const path = await writeTemp('upload-5678', '<list>');

    const error = await formatError(readItems(path, { ...selectItems, fileName: 'scan.xml' }));

    expect(error.file).toBe('scan.xml');
  });
});

describe('readXmlElements encodings', () => {
  it('decodes ISO-8859-1', async () => {
    const xml = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?>\n<list><item>caf'),
      Buffer.from([0xe9]),
      Buffer.from('</item></list>'),
    ]);
    const path = await writeTemp('latin1.xml', xml);

    const [item] = await readItems(path);

    expect(item?.text).toBe('café');
  });

  it('decodes windows-1252', async () => {
    const xml = Buffer.concat([Buffer.from("<?xml version='1.0' encoding='windows-1252'?><list><item>"), Buffer.from([0x80]), Buffer.from('</item></list>')]);
    const path = await writeTemp('cp1252.xml', xml);

    const [item] = await readItems(path);

    expect(item?.text).toBe('€');
  });

  it('rejects invalid UTF-8 naming the line', async () => {
    const xml = Buffer.concat([Buffer.from('<?xml version="1.0"?>\n<list>\n<item>ok</item>\n<item>'), Buffer.from([0xe9]), Buffer.from('</item>\n</list>')]);
    const path = await writeTemp('bad-utf8.xml', xml);

    const error = await formatError(readItems(path));

    expect(error.file).toBe(path);
    expect(error.line).toBe(4);
    expect(error.reason).toMatch(/not valid utf-8/);
  });

  it('rejects invalid UTF-8 deep in a large file', async () => {
    const body = '<item>ok</item>\n'.repeat(20_000);
    const xml = Buffer.concat([Buffer.from(`<list>\n${body}<item>`), Buffer.from([0xff]), Buffer.from('</item></list>')]);
    const path = await writeTemp('bad-utf8-large.xml', xml);

    const error = await formatError(readItems(path));

    expect(error.line).toBe(20_002);
  });

  it('rejects a UTF-8 character cut off at the end', async () => {
    const path = await writeTemp('cut-utf8.xml', Buffer.concat([Buffer.from('<list><item>ok</item></list>\n'), Buffer.from([0xc3])]));

    const error = await formatError(readItems(path));

    expect(error.line).toBe(2);
    expect(error.reason).toMatch(/not valid utf-8/);
  });

  it('decodes characters split across chunks', async () => {
    const body = '<item>ééé€</item>\n'.repeat(20_000);
    const path = await writeTemp('multibyte.xml', `<list>\n${body}</list>`);

    const items = await readItems(path);

    expect(items).toHaveLength(20_000);
    expect(items.every((item) => item.text === 'ééé€')).toBe(true);
  });

  it('decodes a long line without newlines', async () => {
    const body = '<item>日本語</item>'.repeat(150_000);
    const path = await writeTemp('one-line.xml', `<list>${body}</list>`);

    const items = await readItems(path);

    expect(items).toHaveLength(150_000);
    expect(items.every((item) => item.text === '日本語')).toBe(true);
  });

  it('rejects invalid UTF-8 in a long line', async () => {
    const longLine = '<item>日本語</item>'.repeat(100_000);
    const xml = Buffer.concat([Buffer.from(`<list>\n${longLine}<item>`), Buffer.from([0xe6, 0x97]), Buffer.from(`</item>${longLine}</list>`)]);
    const path = await writeTemp('bad-utf8-long-line.xml', xml);

    const error = await formatError(readItems(path));

    expect(error.line).toBe(2);
  });

  it('accepts a UTF-8 byte order mark', async () => {
    const path = await writeTemp('bom.xml', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<list><item>ok</item></list>')]));

    const items = await readItems(path);

    expect(items).toHaveLength(1);
  });

  it('rejects UTF-16', async () => {
    const path = await writeTemp('utf16.xml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<list/>', 'utf16le')]));

    const error = await formatError(readItems(path));

    expect(error.reason).toMatch(/UTF-16/);
  });

  it('rejects an unsupported encoding', async () => {
    const path = await writeTemp('ebcdic.xml', '<?xml version="1.0" encoding="EBCDIC-US"?><list/>');

    const error = await formatError(readItems(path));

    expect(error.line).toBe(1);
    expect(error.reason).toMatch(/unsupported encoding "EBCDIC-US"/);
  });
});

describe('readXmlElements skipContentOf', () => {
  const skipPolicy: ReadXmlElementsOptions = { ...selectItems, skipContentOf: 'policy' };

  it('passes over the content unparsed', async () => {
    // The policy contains markup saxes would reject. Skipped, it is never parsed.
    const path = await writeTemp('skip.xml', '<list>\n<policy>\n<a><b></a>\n<item id="hidden"/>\n</policy>\n<item id="1"/>\n</list>');

    const items = await readItems(path, skipPolicy);

    expect(items.map((item) => item.attributes['id'])).toEqual(['1']);
  });

  it('keeps line numbers after the skipped content', async () => {
    const path = await writeTemp('skip-lines.xml', '<list>\n<policy>\n\n\n</policy>\n<item/>\n\n<item/>\n</list>');

    const items = await readItems(path, skipPolicy);

    expect(items.map((item) => item.line)).toEqual([6, 8]);
  });

  it('names the right line for an error after it', async () => {
    const path = await writeTemp('skip-error.xml', '<list>\n<policy>\n\n</policy>\n<item>\n</wrong>\n</list>');

    const error = await formatError(readItems(path, skipPolicy));

    expect(error.line).toBe(6);
  });

  it('rejects a file truncated inside it', async () => {
    const path = await writeTemp('skip-truncated.xml', '<list>\n<policy>\n<a>text\n');

    const error = await formatError(readItems(path, skipPolicy));

    expect(error.reason).toMatch(/unclosed tag/);
  });

  it('finds markers split across read chunks', async () => {
    // Read chunks are 64 KiB: both markers straddle a chunk boundary.
    const chunk = 64 * 1024;
    const head = '<list>' + ' '.repeat(chunk - '<list>'.length - 3);
    const hidden = '<policy><item id="hidden"/>';
    const middle = '\n'.repeat(chunk - 3 - hidden.length);
    const path = await writeTemp('skip-split.xml', `${head}${hidden}${middle}</policy><item id="1"/></list>`);

    const items = await readItems(path, skipPolicy);

    expect(items.map((item) => item.attributes['id'])).toEqual(['1']);
    expect(items[0]?.line).toBe(1 + middle.length);
  });
});
