import { describe, expect, it } from 'vitest';
import { jsonSyntaxProblem, syntaxErrorIndex } from './json-syntax.js';

/** Whether V8 parses `text`: the scan must agree on every input. */
function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const VALID = [
  '0',
  '-0.5e+10',
  '"a\\u00e9\\n\\"\\\\\\/"',
  ' { "a" : [ 1 , true , false , null , { } , [ ] ] } ',
  '{"points":[{"feed":"a.b","v":1.5,"t":1700000000000}]}',
  '[[[[[]]]]]',
  '"é ✓ 😀"',
];
const INVALID: [string, number][] = [
  ['', 0],
  ['   ', 3],
  ['{', 1],
  ['{"a":1,}', 7],
  ['[1,]', 3],
  ['[1 2]', 3],
  ["{'a':1}", 1],
  ['{"a" 1}', 5],
  ['{"a":1}x', 7],
  ['01', 1],
  ['1.', 1],
  ['-', 0],
  ['tru', 3],
  ['nul!', 3],
  ['"a\\x"', 3],
  ['"a\\u12G4"', 4],
  ['"tab\there"', 4],
  ['"open', 5],
  ['\ufeff{}', 0],
  ['{"a":[1}', 7],
  ['NaN', 0],
];

describe('syntaxErrorIndex', () => {
  it('finds nothing wrong with valid JSON', () => {
    for (const text of VALID) expect(syntaxErrorIndex(text), text).toBe(-1);
  });

  it('points at the first character that cannot continue the text, or its end', () => {
    for (const [text, at] of INVALID) expect(syntaxErrorIndex(text), JSON.stringify(text)).toBe(at);
  });

  it('agrees with JSON.parse on every prefix and every one-character edit of valid documents', () => {
    for (const text of VALID) {
      for (let cut = 0; cut <= text.length; cut++) {
        const prefix = text.slice(0, cut);
        expect(syntaxErrorIndex(prefix) === -1, JSON.stringify(prefix)).toBe(parses(prefix));
      }
      for (let i = 0; i < text.length; i++) {
        for (const c of ['{', '}', '[', ']', ',', ':', '"', '\\', 'x', '1', ' ', '\n']) {
          const edited = text.slice(0, i) + c + text.slice(i + 1);
          expect(syntaxErrorIndex(edited) === -1, JSON.stringify(edited)).toBe(parses(edited));
        }
      }
    }
  });

  it('scans a body nested a million deep without running out of stack', () => {
    expect(syntaxErrorIndex('['.repeat(1_000_000))).toBe(1_000_000);
  });
});

describe('jsonSyntaxProblem', () => {
  it('says where, in bytes, and never in the parser’s words', () => {
    expect(jsonSyntaxProblem('{"é":1,}')).toBe('malformed JSON at byte 8');
    expect(jsonSyntaxProblem('{"points":[')).toBe('malformed JSON: the body ends early, at byte 11');
    expect(jsonSyntaxProblem(' \n')).toBe('malformed JSON: the body is empty');
    expect(jsonSyntaxProblem('{"a":', 'the line')).toBe('malformed JSON: the line ends early, at byte 5');
  });
});
