/**
 * Parser for the small subset of POSIX sh that adb clients send to adbd's shell service.
 *
 * The virtual phone NEVER hands a command string to a real shell: it parses it here and runs
 * built-in implementations. Supported: words with single quotes, double quotes and backslash
 * escapes; `$?`, `$NAME`, `${NAME}` (expanded by the interpreter); lists with `;`, `&&`, `||`,
 * newlines; pipelines `|`; redirections `>`, `>>`, `<`, `2>`, `2>&1`, `>&2`; `#` comments.
 *
 * Command substitution (`$(...)`, backticks) and background jobs (`&`) are refused with a
 * syntax error instead of being run. A real Android shell WOULD run them, so a driver that
 * leaves `$(...)` unquoted fails loudly here instead of silently passing a test.
 */

export class ShSyntaxError extends Error {}

export type WordPart = { kind: 'lit'; text: string } | { kind: 'var'; name: string; quoted: boolean };
export interface Word {
  parts: WordPart[];
}

export interface Redirect {
  fd: number; // 0, 1 or 2
  op: '>' | '>>' | '<' | '>&';
  target: Word | number; // number for fd duplication (2>&1)
}

export interface SimpleCommand {
  words: Word[];
  redirects: Redirect[];
}

export type Pipeline = SimpleCommand[];
export interface ListItem {
  /** How this pipeline is joined to the previous one. */
  joiner: ';' | '&&' | '||';
  pipeline: Pipeline;
}

const OPERATOR_CHARS = new Set([';', '&', '|', '<', '>', '\n']);
const BLANKS = new Set([' ', '\t']);

type Token = { t: 'word'; word: Word; io?: number } | { t: 'op'; op: string };

function isNameChar(c: string, first: boolean): boolean {
  return /[A-Za-z_]/.test(c) || (!first && /[0-9]/.test(c));
}

/** Lexer: splits the command string into words and operators. */
export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (BLANKS.has(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (OPERATOR_CHARS.has(c)) {
      const two = src.slice(i, i + 2);
      if (['&&', '||', '>>', '>&', ';;'].includes(two)) {
        if (two === ';;') throw new ShSyntaxError("syntax error: unexpected ';;'");
        tokens.push({ t: 'op', op: two });
        i += 2;
      } else {
        if (c === '&') throw new ShSyntaxError("background jobs ('&') are not supported by the virtual phone shell");
        tokens.push({ t: 'op', op: c });
        i++;
      }
      continue;
    }
    // a word
    const parts: WordPart[] = [];
    let lit = '';
    const flush = (): void => {
      if (lit) parts.push({ kind: 'lit', text: lit });
      lit = '';
    };
    const startedAt = i;
    while (i < src.length && !BLANKS.has(src[i]) && !OPERATOR_CHARS.has(src[i])) {
      const ch = src[i];
      if (ch === "'") {
        const end = src.indexOf("'", i + 1);
        if (end < 0) throw new ShSyntaxError('syntax error: unterminated quoted string');
        lit += src.slice(i + 1, end);
        i = end + 1;
      } else if (ch === '"') {
        i++;
        let closed = false;
        while (i < src.length) {
          const d = src[i];
          if (d === '"') {
            closed = true;
            i++;
            break;
          }
          if (d === '\\' && i + 1 < src.length && '$`"\\\n'.includes(src[i + 1])) {
            if (src[i + 1] !== '\n') lit += src[i + 1];
            i += 2;
          } else if (d === '`') {
            throw new ShSyntaxError('command substitution (`...`) refused by the virtual phone shell');
          } else if (d === '$') {
            i = readDollar(src, i, true);
          } else {
            lit += d;
            i++;
          }
        }
        if (!closed) throw new ShSyntaxError('syntax error: unterminated quoted string');
      } else if (ch === '\\') {
        if (i + 1 < src.length) {
          if (src[i + 1] !== '\n') lit += src[i + 1];
          i += 2;
        } else {
          i++;
        }
      } else if (ch === '`') {
        throw new ShSyntaxError('command substitution (`...`) refused by the virtual phone shell');
      } else if (ch === '$') {
        i = readDollar(src, i, false);
      } else {
        lit += ch;
        i++;
      }
    }
    flush();
    // "2>" style io number: an all-digit unquoted word directly followed by < or >
    const raw = src.slice(startedAt, i);
    if (/^[0-9]$/.test(raw) && (src[i] === '>' || src[i] === '<')) {
      tokens.push({ t: 'word', word: { parts }, io: Number(raw) });
    } else {
      tokens.push({ t: 'word', word: { parts } });
    }

    function readDollar(s: string, at: number, quoted: boolean): number {
      const next = s[at + 1];
      if (next === '(') throw new ShSyntaxError('command substitution ($(...)) refused by the virtual phone shell');
      if (next === '?' || next === '$' || next === '#' || next === '!' || next === '@' || next === '*' || (next !== undefined && /[0-9]/.test(next))) {
        flush();
        parts.push({ kind: 'var', name: next, quoted });
        return at + 2;
      }
      if (next === '{') {
        const end = s.indexOf('}', at + 2);
        if (end < 0) throw new ShSyntaxError('syntax error: bad substitution');
        const name = s.slice(at + 2, end);
        if (!/^[A-Za-z_][A-Za-z0-9_]*$|^[?$#]$/.test(name)) throw new ShSyntaxError(`\${${name}}: bad substitution`);
        flush();
        parts.push({ kind: 'var', name, quoted });
        return end + 1;
      }
      if (next !== undefined && isNameChar(next, true)) {
        let j = at + 1;
        while (j < s.length && isNameChar(s[j], j === at + 1)) j++;
        flush();
        parts.push({ kind: 'var', name: s.slice(at + 1, j), quoted });
        return j;
      }
      lit += '$';
      return at + 1;
    }
  }
  return tokens;
}

/** Parse a command string into a list of pipelines. An empty string gives an empty list. */
export function parseCommandLine(src: string): ListItem[] {
  const tokens = tokenize(src);
  const items: ListItem[] = [];
  let pos = 0;
  let joiner: ListItem['joiner'] = ';';
  while (pos < tokens.length) {
    const tok = tokens[pos];
    if (tok.t === 'op' && (tok.op === ';' || tok.op === '\n')) {
      pos++;
      continue;
    }
    const pipeline: Pipeline = [];
    for (;;) {
      const cmd: SimpleCommand = { words: [], redirects: [] };
      while (pos < tokens.length) {
        const t = tokens[pos];
        if (t.t === 'word' && t.io === undefined) {
          cmd.words.push(t.word);
          pos++;
          continue;
        }
        let fd: number | undefined;
        if (t.t === 'word' && t.io !== undefined) {
          fd = t.io;
          pos++;
        }
        const opTok = tokens[pos];
        if (opTok?.t === 'op' && ['>', '>>', '<', '>&'].includes(opTok.op)) {
          const op = opTok.op as Redirect['op'];
          const target = tokens[pos + 1];
          if (!target || target.t !== 'word') throw new ShSyntaxError(`syntax error: missing target after '${op}'`);
          const defaultFd = op === '<' ? 0 : 1;
          if (op === '>&') {
            const text = target.word.parts.map((p) => (p.kind === 'lit' ? p.text : '')).join('');
            if (!/^[0-2]$/.test(text)) throw new ShSyntaxError(`syntax error: bad fd '${text}' after '>&'`);
            cmd.redirects.push({ fd: fd ?? defaultFd, op, target: Number(text) });
          } else {
            cmd.redirects.push({ fd: fd ?? defaultFd, op, target: target.word });
          }
          pos += 2;
          continue;
        }
        break;
      }
      if (cmd.words.length === 0 && cmd.redirects.length === 0) {
        const t = tokens[pos];
        throw new ShSyntaxError(`syntax error: unexpected '${t && t.t === 'op' ? t.op.replace('\n', 'newline') : 'end of input'}'`);
      }
      pipeline.push(cmd);
      const t = tokens[pos];
      if (t?.t === 'op' && t.op === '|') {
        pos++;
        continue;
      }
      break;
    }
    items.push({ joiner, pipeline });
    const t = tokens[pos];
    if (!t) break;
    if (t.t === 'op' && (t.op === '&&' || t.op === '||')) {
      joiner = t.op;
      pos++;
      if (pos >= tokens.length) throw new ShSyntaxError(`syntax error: unexpected end of input after '${t.op}'`);
    } else if (t.t === 'op' && (t.op === ';' || t.op === '\n')) {
      joiner = ';';
      pos++;
    } else {
      throw new ShSyntaxError(`syntax error: unexpected '${t.t === 'op' ? t.op : 'word'}'`);
    }
  }
  return items;
}

/** Expand a word given the variable environment (no field splitting, no globbing). */
export function expandWord(word: Word, vars: (name: string) => string): string {
  return word.parts.map((p) => (p.kind === 'lit' ? p.text : vars(p.name))).join('');
}
