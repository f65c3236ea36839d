/**
 * Why `text` is not JSON, in the product's words and with the byte where it
 * goes wrong, for an answer to a client: V8's own messages quote the input and
 * its parser's wording, and change between Node versions. Call it only after
 * `JSON.parse` failed; the scan follows RFC 8259's grammar.
 */
export function jsonSyntaxProblem(text: string, what = 'the body'): string {
  const at = syntaxErrorIndex(text);
  if (at === -1) return 'malformed JSON';
  if (text.trim() === '') return `malformed JSON: ${what} is empty`;
  const byte = Buffer.byteLength(text.slice(0, at));
  return at >= text.length ? `malformed JSON: ${what} ends early, at byte ${byte}` : `malformed JSON at byte ${byte}`;
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;

/**
 * The index of the first character that cannot continue a JSON text
 * (`text.length` when it ends early), or -1 when it is valid. Iterative, so a
 * body nested a million deep costs no stack.
 */
export function syntaxErrorIndex(text: string): number {
  const open: string[] = [];
  let i = 0;
  const skip = (): void => {
    while (i < text.length && WHITESPACE.has(text.charCodeAt(i))) i++;
  };
  /** Moves past a string starting at `i`; false where it breaks (then `i` is there). */
  const string = (): boolean => {
    if (text[i] !== '"') return false;
    i++;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const next = text[i + 1];
        if (next === 'u') {
          HEX4.lastIndex = i + 2;
          if (!HEX4.test(text)) {
            i = Math.min(i + 2, text.length);
            return false;
          }
          i += 6;
          continue;
        }
        if (next === undefined || !ESCAPES.has(next)) {
          i++;
          return false;
        }
        i += 2;
        continue;
      }
      i++;
    }
    return false;
  };
  /** Moves past a key and its colon, to the value; false where it breaks. */
  const key = (): boolean => {
    if (!string()) return false;
    skip();
    if (text[i] !== ':') return false;
    i++;
    return true;
  };
  for (;;) {
    // a value
    skip();
    const c = text[i];
    if (c === '{' || c === '[') {
      open.push(c);
      i++;
      skip();
      const close = c === '{' ? '}' : ']';
      if (text[i] !== close) {
        if (c === '{' && !key()) return i;
        continue;
      }
      open.pop();
      i++;
    } else if (c === '"') {
      if (!string()) return i;
    } else if (c === 't' || c === 'f' || c === 'n') {
      const word = c === 't' ? 'true' : c === 'f' ? 'false' : 'null';
      for (let k = 0; k < word.length; k++, i++) if (text[i] !== word[k]) return i;
    } else {
      NUMBER.lastIndex = i;
      if (!NUMBER.test(text) || NUMBER.lastIndex === i) return i;
      i = NUMBER.lastIndex;
    }
    // what follows a value: a separator, the end of its container, or the end of the text
    for (;;) {
      skip();
      const top = open.at(-1);
      if (top === undefined) return i === text.length ? -1 : i;
      const ch = text[i];
      if (ch === ',') {
        i++;
        if (top === '{') {
          skip();
          if (!key()) return i;
        }
        break;
      }
      if (ch !== (top === '{' ? '}' : ']')) return i;
      open.pop();
      i++;
    }
  }
}
