import fc from 'fast-check';

/** One mutation of a body's text: what to do, where (taken modulo the length), and what to insert. */
export interface TextEdit {
  kind: 'insert' | 'delete' | 'replace' | 'truncate' | 'duplicate line' | 'drop line' | 'move line';
  at: number;
  text: string;
}

/** Edits that insert, delete or replace up to three of `syntaxChars`, or cut, repeat, drop and move lines. */
export function textEdits(syntaxChars: readonly string[]): fc.Arbitrary<TextEdit> {
  return fc.record({
    kind: fc.constantFrom<TextEdit['kind']>(
      'insert',
      'delete',
      'replace',
      'truncate',
      'duplicate line',
      'drop line',
      'move line',
    ),
    at: fc.nat(),
    text: fc.string({ unit: fc.constantFrom(...syntaxChars), minLength: 1, maxLength: 3 }),
  });
}

/** `text` with the edit applied. */
export function applyEdit(text: string, e: TextEdit): string {
  const at = e.at % (text.length + 1);
  const lines = text.split('\n');
  const k = e.at % lines.length;
  switch (e.kind) {
    case 'insert':
      return text.slice(0, at) + e.text + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + e.text.length);
    case 'replace':
      return text.slice(0, at) + e.text + text.slice(at + e.text.length);
    case 'truncate':
      return text.slice(0, at);
    case 'duplicate line':
      return [...lines.slice(0, k + 1), ...lines.slice(k)].join('\n');
    case 'drop line':
      return [...lines.slice(0, k), ...lines.slice(k + 1)].join('\n');
    case 'move line':
      return [...lines.slice(1, k + 1), lines[0], ...lines.slice(k + 1)].join('\n');
  }
}
