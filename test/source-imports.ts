/**
 * Lists the modules a TypeScript file imports, for the layer test. The source is
 * tokenized first, so import-like text inside comments, strings, template
 * literals and regular expressions is not taken for an import. Covered forms:
 * `import ... from`, `import type ... from`, side-effect imports, re-exports
 * (`export * from`, `export { ... } from`, `export type { ... } from`) and
 * `import('...')`, as an expression or as a type.
 */

export interface SourceImport {
  specifier: string;
  /** 1-based line of the `import` or `export` keyword. */
  line: number;
  /**
   * The whole statement is erased by the compiler: `import type`, `export type`
   * or `typeof import()`. `import { type A }` is not, because with
   * `verbatimModuleSyntax` the module is still loaded.
   */
  typeOnly: boolean;
}

interface Token {
  kind: 'word' | 'string' | 'punct';
  text: string;
  start: number;
}

/** Words after which a `/` starts a regular expression rather than a division. */
const REGEX_AFTER_WORDS = new Set([
  'return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'instanceof', 'yield', 'await',
]);

export function scanImports(source: string): SourceImport[] {
  const tokens = tokenize(source);
  const lineStarts = [0];
  for (let index = 0; index < source.length; index += 1) {
    if (source[index] === '\n') lineStarts.push(index + 1);
  }
  const lineOf = (offset: number): number => lineStarts.filter((start) => start <= offset).length;

  const imports: SourceImport[] = [];
  const found = (keyword: Token, specifier: Token | undefined, typeOnly: boolean): void => {
    if (specifier?.kind === 'string') imports.push({ specifier: specifier.text, line: lineOf(keyword.start), typeOnly });
  };
  const isPunct = (token: Token | undefined, text: string): boolean => token?.kind === 'punct' && token.text === text;
  const isWord = (token: Token | undefined, text: string): boolean => token?.kind === 'word' && token.text === text;

  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index]!;
    if (token.kind !== 'word' || isPunct(tokens[index - 1], '.')) continue;
    const next = tokens[index + 1];

    if (token.text === 'import') {
      if (isPunct(next, '(')) {
        found(token, tokens[index + 2], isWord(tokens[index - 1], 'typeof'));
      } else if (next?.kind === 'string') {
        found(token, next, false);
      } else if (!isPunct(next, '.')) {
        const afterType = tokens[index + 2];
        const typeOnly = isWord(next, 'type') && !isWord(afterType, 'from') && !isPunct(afterType, ',') && !isPunct(afterType, '=');
        found(token, fromSpecifier(tokens, index + 1), typeOnly);
      }
    } else if (token.text === 'export') {
      const typeOnly = isWord(next, 'type') && (isPunct(tokens[index + 2], '{') || isPunct(tokens[index + 2], '*'));
      const clause = typeOnly ? index + 2 : index + 1;
      if (isPunct(tokens[clause], '{') || isPunct(tokens[clause], '*')) found(token, fromSpecifier(tokens, clause), typeOnly);
    }
  }
  return imports;
}

/**
 * Finds the string after the `from` that ends an import or export clause starting
 * at `index`. A local `export { a }` has no `from`, so the clause ends at its `;`
 * or at the next statement's keyword and nothing is returned.
 */
function fromSpecifier(tokens: Token[], index: number): Token | undefined {
  for (let cursor = index; cursor < tokens.length - 1; cursor += 1) {
    const token = tokens[cursor]!;
    if (token.kind === 'punct' && token.text === ';') return undefined;
    if (cursor > index && token.kind === 'word' && (token.text === 'import' || token.text === 'export')) return undefined;
    if (token.kind === 'word' && token.text === 'from' && tokens[cursor + 1]!.kind === 'string') return tokens[cursor + 1];
  }
  return undefined;
}

/**
 * Splits the source into words, quoted strings and single punctuation
 * characters. Comments, regular expressions and the text of template literals
 * produce no tokens, but the code inside `${...}` does.
 */
function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  // One entry per open `{`: true when it opened a template substitution `${`.
  const braces: boolean[] = [];
  let index = 0;

  const skipTemplateText = (): void => {
    while (index < source.length) {
      const char = source[index]!;
      if (char === '\\') {
        index += 2;
      } else if (char === '`') {
        index += 1;
        return;
      } else if (char === '$' && source[index + 1] === '{') {
        braces.push(true);
        index += 2;
        return;
      } else {
        index += 1;
      }
    }
  };

  while (index < source.length) {
    const char = source[index]!;
    const start = index;

    if (/\s/.test(char)) {
      index += 1;
    } else if (source.startsWith('//', index)) {
      const end = source.indexOf('\n', index);
      index = end === -1 ? source.length : end;
    } else if (source.startsWith('/*', index)) {
      const end = source.indexOf('*/', index + 2);
      index = end === -1 ? source.length : end + 2;
    } else if (char === "'" || char === '"') {
      index += 1;
      while (index < source.length && source[index] !== char) index += source[index] === '\\' ? 2 : 1;
      index += 1;
      tokens.push({ kind: 'string', text: source.slice(start + 1, index - 1), start });
    } else if (char === '`') {
      index += 1;
      skipTemplateText();
    } else if (char === '}' && braces.length > 0 && braces[braces.length - 1]) {
      braces.pop();
      index += 1;
      skipTemplateText();
    } else if (char === '/' && startsRegex(tokens[tokens.length - 1])) {
      index = regexEnd(source, index);
    } else if (/[\w$]/.test(char) || char.charCodeAt(0) > 127) {
      while (index < source.length && (/[\w$]/.test(source[index]!) || source.charCodeAt(index) > 127)) index += 1;
      tokens.push({ kind: 'word', text: source.slice(start, index), start });
    } else {
      if (char === '{') braces.push(false);
      if (char === '}') braces.pop();
      index += 1;
      tokens.push({ kind: 'punct', text: char, start });
    }
  }
  return tokens;
}

/**
 * Decides whether a `/` starts a regular expression rather than a division, which
 * it does at the start of the file, after an operator or opening bracket, and
 * after a keyword such as `return`.
 */
function startsRegex(previous: Token | undefined): boolean {
  if (previous === undefined) return true;
  if (previous.kind === 'word') return REGEX_AFTER_WORDS.has(previous.text);
  if (previous.kind === 'string') return false;
  return ![')', ']', '}'].includes(previous.text);
}

/** Returns the offset after the regular expression literal that starts at `start`, flags included. */
function regexEnd(source: string, start: number): number {
  let index = start + 1;
  let inClass = false;
  while (index < source.length) {
    const char = source[index]!;
    if (char === '\\') {
      index += 2;
      continue;
    }
    if (char === '\n') return index;
    if (char === '[') inClass = true;
    if (char === ']') inClass = false;
    index += 1;
    if (char === '/' && !inClass) break;
  }
  while (index < source.length && /[a-z]/i.test(source[index]!)) index += 1;
  return index;
}
