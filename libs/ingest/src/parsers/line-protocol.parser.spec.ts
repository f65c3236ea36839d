import { describe, expect, it } from 'vitest';
import {
  isPrecision,
  labelKeyOf,
  lineProtocolText,
  parseLineProtocol,
  parseLineProtocolInTurns,
  type Precision,
  PRECISIONS,
} from './line-protocol.parser.js';
import type { ParseFailure, ParseOptions, ParseSuccess } from './parse-result.js';
import { LINE_PROTOCOL_BOOLEANS } from './testing/line-protocol-booleans.js';

const NOW = 1_700_000_000_000;
const TS = '1764230400000000000';
const TS_MS = 1_764_230_400_000;

type Options = ParseOptions & { precision: Precision };

function options(overrides: Partial<Options> = {}): Options {
  return { now: NOW, maxPoints: 10_000, maxDetails: 10, precision: 'ns', ...overrides };
}

function success(body: string, overrides: Partial<Options> = {}): ParseSuccess {
  const result = parseLineProtocol(body, options(overrides));
  if (!result.ok) throw new Error(`expected success, got ${result.code}: ${JSON.stringify(result.details)}`);
  return result;
}

function failure(body: string, overrides: Partial<Options> = {}): ParseFailure {
  const result = parseLineProtocol(body, options(overrides));
  if (result.ok) throw new Error('expected failure, got success');
  return result;
}

/** The batch as plain arrays, for exact comparison. */
function points(body: string, overrides: Partial<Options> = {}): { feeds: string[]; t: number[]; v: number[] } {
  const { batch } = success(body, overrides);
  return { feeds: [...batch.feeds], t: Array.from(batch.t), v: Array.from(batch.v) };
}

function feeds(body: string): string[] {
  return points(body).feeds;
}

function values(body: string): number[] {
  return points(body).v;
}

/** The only reason reported for a one-line body. */
function reason(line: string): string {
  const result = failure(line);
  expect(result.code).toBe('invalid_points');
  expect(result.details).toHaveLength(1);
  expect(result.details[0].line).toBe(1);
  return result.details[0].reason;
}

/** The contract's conversion, in BigInt, to compare the parser's doubles against. */
function contractMs(ts: bigint, divisor: bigint): number {
  return Number(ts / divisor) + Number(ts % divisor) / Number(divisor);
}

describe('parseLineProtocol', () => {
  describe('series', () => {
    it('names each field <measurement>.<field> and makes every tag a label', () => {
      const result = success(`cpu,host=h1,region=eu usage=0.5,idle=99 ${TS}`);
      expect([...result.batch.feeds]).toEqual(['cpu.usage{host="h1",region="eu"}', 'cpu.idle{host="h1",region="eu"}']);
      expect(Array.from(result.batch.t)).toEqual([TS_MS, TS_MS]);
      expect(Array.from(result.batch.v)).toEqual([0.5, 99]);
      expect(result.ignored).toEqual([]);
    });

    it('uses the feed name alone when there are no tags', () => {
      expect(feeds('cpu usage=1')).toEqual(['cpu.usage']);
    });

    it('gives one series key whatever the order of the tags on the line', () => {
      expect(feeds('cpu,region=eu,host=h1 usage=1')).toEqual(['cpu.usage{host="h1",region="eu"}']);
      expect(feeds('m,b=2,c=3,a=1 x=1\nm,a=1,b=2,c=3 x=1')).toEqual([
        'm.x{a="1",b="2",c="3"}',
        'm.x{a="1",b="2",c="3"}',
      ]);
    });

    it('keeps tags with the same value under different keys apart', () => {
      expect(feeds('coll,host=a v=1\ncoll,dc=a v=2')).toEqual(['coll.v{host="a"}', 'coll.v{dc="a"}']);
    });

    it('keeps the dots of a tag value inside the label, so they cannot make two tag sets alike', () => {
      expect(feeds('m,host=web1.example.com,region=eu v=1\nm,host=web1,region=example.com.eu v=1')).toEqual([
        'm.v{host="web1.example.com",region="eu"}',
        'm.v{host="web1",region="example.com.eu"}',
      ]);
    });

    it('puts label keys in byte order', () => {
      expect(feeds('m,b=lower,B=upper,_=u,a1=n x=1')).toEqual(['m.x{B="upper",_="u",a1="n",b="lower"}']);
    });

    it('keeps tag values as they are, escaped as a series key escapes them', () => {
      expect(feeds('cpu,host=web-01.example.com,dc=eu/west v=1')).toEqual([
        'cpu.v{dc="eu/west",host="web-01.example.com"}',
      ]);
      expect(feeds('temp,room=küche\u{1F680} wert=1')).toEqual(['temp.wert{room="küche\u{1F680}"}']);
      expect(feeds('m,q="hi",p=a"b x=1')).toEqual(['m.x{p="a\\"b",q="\\"hi\\""}']);
      expect(feeds('m,path=C:\\temp\\x x=1')).toEqual(['m.x{path="C:\\\\temp\\\\x"}']);
    });

    it('replaces characters outside the feed alphabet in measurement and field key by _', () => {
      expect(feeds('net:if,name=eth0 rx+tx=1')).toEqual(['net:if.rx_tx{name="eth0"}']);
      expect(feeds("m 'a'=1,v@1=2")).toEqual(['m._a_', 'm.v_1']);
      expect(feeds('m\u{1F680}ü x=1')).toEqual(['m__.x']);
    });

    it('keeps dots in measurement and field key, so they add segments', () => {
      expect(feeds('a.b,t=c.d e.f=1')).toEqual(['a.b.e.f{t="c.d"}']);
    });

    it('refuses a line whose feed name has an empty segment', () => {
      expect(reason('.cpu usage=1')).toBe('invalid feed name ".cpu.usage": feed segments must not be empty');
      expect(reason('cpu. usage=1')).toBe('invalid feed name "cpu..usage": feed segments must not be empty');
      expect(reason('cpu,host=a .usage=1')).toBe('invalid feed name "cpu..usage": feed segments must not be empty');
      expect(feeds('cpu,host=. usage=1')).toEqual(['cpu.usage{host="."}']);
    });

    it('refuses a line whose feed name is longer than 200 characters, its labels aside', () => {
      const measurement = 'm'.repeat(194);
      expect(feeds(`${measurement},host=${'h'.repeat(300)} value=1`)).toEqual([
        `${measurement}.value{host="${'h'.repeat(300)}"}`,
      ]); // exactly 200
      expect(reason(`${measurement}x value=1`)).toBe(
        `invalid feed name "${'m'.repeat(64)}…": feed must be at most 200 characters`,
      );
    });

    it('does not need a valid name for a string field, which is not stored', () => {
      const result = success('.cpu,host=a msg="x"');
      expect(result.batch.feeds).toEqual([]);
      expect(result.ignored).toEqual([{ line: 1, field: 'msg', reason: 'string fields are not stored' }]);
    });
  });

  describe('tag keys', () => {
    it.each([
      ['host', 'host'],
      ['_private', '_private'],
      ['host.name', 'host_name'],
      ['k8s-pod/name', 'k8s_pod_name'],
      ['1m', '_1m'],
      ['9', '_9'],
      ['.1', '_1'],
      ['küche', 'k_che'],
      ['\u{1F680}x', '_x'],
      ['a b,c=d', 'a_b_c_d'],
    ])('makes the tag key %j the label %j', (tag, label) => {
      expect(labelKeyOf(tag)).toBe(label);
    });

    it('uses the mapped keys in the series key', () => {
      expect(feeds('m,host.name=web1,1m=x,dc\\ name=eu v=1')).toEqual(['m.v{_1m="x",dc_name="eu",host_name="web1"}']);
    });

    it('refuses a line where two tags would be one label, naming both', () => {
      expect(reason('m,host.name=a,host_name=b x=1')).toBe(
        'tags "host.name" and "host_name" would both be the label host_name',
      );
      expect(reason('m,a-b=1,x=2,a.b=3 x=1')).toBe('tags "a-b" and "a.b" would both be the label a_b');
      expect(reason('m,host=a,host=a x=1')).toBe('duplicate tag "host"');
    });

    it('refuses a tag key that is or becomes a reserved label key', () => {
      expect(reason('m,__name__=a x=1')).toBe(
        'invalid tag key "__name__": label key "__name__" is reserved (keys starting with __)',
      );
      expect(reason('m,.-x=a x=1')).toBe('invalid tag key ".-x": label key "__x" is reserved (keys starting with __)');
    });

    it('takes tag keys of up to 128 characters once mapped', () => {
      expect(feeds(`m,${'k'.repeat(128)}=a x=1`)).toEqual([`m.x{${'k'.repeat(128)}="a"}`]);
      expect(feeds(`m,${'7'.repeat(127)}=a x=1`)).toEqual([`m.x{_${'7'.repeat(127)}="a"}`]);
      expect(reason(`m,${'k'.repeat(129)}=a x=1`)).toBe(
        `invalid tag key "${'k'.repeat(64)}…": label keys must be at most 128 characters`,
      );
      expect(reason(`m,${'7'.repeat(128)}=a x=1`)).toBe(
        `invalid tag key "${'7'.repeat(64)}…": label keys must be at most 128 characters`,
      );
    });
  });

  describe('tag values and counts', () => {
    it('takes up to 32 tags and refuses more', () => {
      const tags = (n: number) => Array.from({ length: n }, (_, i) => `,t${String(i).padStart(2, '0')}=v`).join('');
      expect(feeds(`m${tags(32)} x=1`)).toEqual([
        `m.x{${Array.from({ length: 32 }, (_, i) => `t${String(i).padStart(2, '0')}="v"`).join(',')}}`,
      ]);
      expect(reason(`m${tags(33)} x=1`)).toBe('more than 32 tags (a series has at most 32 labels)');
    });

    it('takes tag values of up to 1024 bytes and refuses longer ones', () => {
      expect(feeds(`m,h=${'é'.repeat(512)} x=1`)).toEqual([`m.x{h="${'é'.repeat(512)}"}`]);
      expect(reason(`m,h=${'é'.repeat(512)}a x=1`)).toBe(
        'invalid value for tag "h": label h must be at most 1024 bytes',
      );
    });

    it('refuses a tag value that has no UTF-8 form', () => {
      expect(reason('m,h=a\uD800 x=1')).toBe('invalid value for tag "h": label h must be valid UTF-8');
    });

    it('gives a Telegraf-style line of 8 tags one series key per field', () => {
      const line =
        'system,cluster=prod,dc=eu-west-1,env=production,host=web-01.example.com,os=linux,rack=r12,role=frontend,zone=b load1=0.42,load5=0.38';
      const tags =
        'cluster="prod",dc="eu-west-1",env="production",host="web-01.example.com",os="linux",rack="r12",role="frontend",zone="b"';
      expect(points(`${line} ${TS}\n${line} ${TS}`)).toEqual({
        feeds: [`system.load1{${tags}}`, `system.load5{${tags}}`, `system.load1{${tags}}`, `system.load5{${tags}}`],
        t: [TS_MS, TS_MS, TS_MS, TS_MS],
        v: [0.42, 0.38, 0.42, 0.38],
      });
    });
  });

  describe('escapes', () => {
    it('unescapes comma and space in the measurement', () => {
      expect(feeds('my\\ cpu\\,total,host=a v=1')).toEqual(['my_cpu_total.v{host="a"}']);
    });

    it('keeps a backslash before any other character of a measurement literally', () => {
      // '=' is not escapable in a measurement: the backslash and the '=' both stay.
      expect(feeds('a\\=b v=1')).toEqual(['a__b.v']);
      // Two backslashes are one escaped backslash (InfluxDB reference), so the space after them ends the measurement.
      expect(feeds('a\\\\b v=1')).toEqual(['a_b.v']);
      expect(failure('a\\\\ b v=1').details[0].line).toBe(1);
    });

    it('unescapes comma, equals sign and space in tag keys and values', () => {
      expect(feeds('cpu,ho\\=st\\ x=a\\,b\\=c\\ d v=1')).toEqual(['cpu.v{ho_st_x="a,b=c d"}']);
      expect(feeds('cpu,host=C:\\temp v=1')).toEqual(['cpu.v{host="C:\\\\temp"}']);
    });

    it('unescapes comma, equals sign and space in field keys', () => {
      expect(feeds('cpu f\\,i\\=e\\ ld=1')).toEqual(['cpu.f_i_e_ld']);
      const result = success('cpu f\\,i\\=e\\ ld="x"');
      expect(result.ignored).toEqual([{ line: 1, field: 'f,i=e ld', reason: 'string fields are not stored' }]);
    });

    it('reads string values with escaped quotes and backslashes, spaces, commas and equals signs', () => {
      const result = success(`cpu msg="say \\"hi\\", a=b \\\\ c:\\d x=1",v=2 ${TS}`);
      expect([...result.batch.feeds]).toEqual(['cpu.v']);
      expect(Array.from(result.batch.v)).toEqual([2]);
      expect(Array.from(result.batch.t)).toEqual([TS_MS]);
      expect(result.ignored).toEqual([{ line: 1, field: 'msg', reason: 'string fields are not stored' }]);
    });

    it('ends a string at a quote that follows an escaped backslash', () => {
      expect(feeds('m s="a\\\\",v=1')).toEqual(['m.v']);
      expect(feeds('m s="",v=1')).toEqual(['m.v']);
      expect(reason('m s="a\\",v=1')).toBe('unterminated string for field "s"');
    });
  });

  describe('fields', () => {
    it('yields one point per field, in field order', () => {
      expect(points(`m a=1,b=2i,c=t,d=3u,e=-0.25 ${TS}`)).toEqual({
        feeds: ['m.a', 'm.b', 'm.c', 'm.d', 'm.e'],
        t: [TS_MS, TS_MS, TS_MS, TS_MS, TS_MS],
        v: [1, 2, 1, 3, -0.25],
      });
    });

    it('names fields right when a series changes the order or set of its fields from line to line', () => {
      const body = ['m,h=1 a=1,b=2', 'm,h=1 b=3,a=4', 'm,h=1 c=5', 'm,h=1 a=6,b=7,c=8', 'm,h=2 b=9'].join('\n');
      expect(points(body)).toMatchObject({
        feeds: [
          'm.a{h="1"}',
          'm.b{h="1"}',
          'm.b{h="1"}',
          'm.a{h="1"}',
          'm.c{h="1"}',
          'm.a{h="1"}',
          'm.b{h="1"}',
          'm.c{h="1"}',
          'm.b{h="2"}',
        ],
        v: [1, 2, 3, 4, 5, 6, 7, 8, 9],
      });
    });

    it('keeps repeated field keys as separate points', () => {
      expect(points('m x=1,x=2')).toEqual({ feeds: ['m.x', 'm.x'], t: [NOW, NOW], v: [1, 2] });
    });

    it.each([
      ['1', 1],
      ['-1', -1],
      ['1.5', 1.5],
      ['-1.5e10', -1.5e10],
      ['1e-3', 0.001],
      ['1E3', 1000],
      ['1.5e+2', 150],
      ['.5', 0.5],
      ['-.5', -0.5],
      ['1.', 1],
      ['0.1', 0.1],
      ['007', 7],
      ['3.141592653589793238', 3.141592653589793],
      ['123456789012345678', 123456789012345680],
      ['1.7976931348623157e308', 1.7976931348623157e308],
      ['1e-400', 0],
    ])('reads the float %s', (text, expected) => {
      expect(values(`m x=${text}`)).toEqual([expected]);
    });

    it('reads floats exactly as Number() does', () => {
      let seed = 42;
      const random = (): number => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed / 2147483648;
      };
      const texts: string[] = [];
      for (let k = 0; k < 2000; k++) {
        const x = (random() - 0.5) * 10 ** Math.floor(random() * 20 - 5);
        texts.push(String(x), x.toFixed(Math.floor(random() * 10)), x.toPrecision(1 + Math.floor(random() * 16)));
      }
      const body = texts.map((text) => `m x=${text}`).join('\n');
      expect(values(body)).toEqual(texts.map(Number));
    });

    it('refuses a float that is not finite', () => {
      expect(reason('m x=1e400')).toBe('float value "1e400" for field "x" is out of range');
      expect(reason('m x=-1e400')).toBe('float value "-1e400" for field "x" is out of range');
    });

    it.each([
      ['42i', 42],
      ['-42i', -42],
      ['0i', 0],
      ['-0i', 0],
      ['123456789012345i', 123456789012345],
      ['9223372036854775807i', 2 ** 63],
      ['-9223372036854775808i', -(2 ** 63)],
      ['0009223372036854775807i', 2 ** 63],
    ])('reads the integer %s', (text, expected) => {
      expect(values(`m x=${text}`)).toEqual([expected]);
    });

    it.each(['9223372036854775808i', '-9223372036854775809i', '99999999999999999999i'])(
      'refuses the out-of-range integer %s',
      (text) => {
        expect(reason(`m x=${text}`)).toBe(`integer value "${text}" for field "x" is out of range (signed 64-bit)`);
      },
    );

    it.each([
      ['42u', 42],
      ['0u', 0],
      ['18446744073709551615u', 2 ** 64],
    ])('reads the unsigned integer %s', (text, expected) => {
      expect(values(`m x=${text}`)).toEqual([expected]);
    });

    it.each(['18446744073709551616u', '-1u', '123456789012345678901u'])(
      'refuses the out-of-range unsigned %s',
      (text) => {
        expect(reason(`m x=${text}`)).toBe(`unsigned value "${text}" for field "x" is out of range (0 to 2^64-1)`);
      },
    );

    it.each(LINE_PROTOCOL_BOOLEANS)('reads the boolean %s', (text, expected) => {
      expect(values(`m x=${text}`)).toEqual([expected]);
    });

    it.each([
      'abc',
      '1.2.3',
      '12x',
      '1i2',
      '1.5i',
      '1.5u',
      '1e',
      '1e+',
      '-',
      '.',
      '+1',
      'NaN',
      'inf',
      'tRUE',
      'truee',
      'yes',
      '0x10',
      '1_000',
    ])('refuses the field value %s', (text) => {
      expect(reason(`m x=${text}`)).toBe(`invalid field value "${text}" for field "x"`);
    });

    it('names the field in the reason', () => {
      expect(reason('cpu,host=a idle=1,usage=abc')).toBe('invalid field value "abc" for field "usage"');
    });

    it('refuses an empty field value', () => {
      expect(reason('m x=')).toBe('missing value for field "x"');
      expect(reason('m x=,y=1')).toBe('missing value for field "x"');
      expect(reason(`m x= ${TS}`)).toBe('missing value for field "x"');
    });

    it('shortens long values quoted in reasons', () => {
      expect(reason(`m x=${'a'.repeat(1000)}`)).toBe(`invalid field value "${'a'.repeat(64)}…" for field "x"`);
    });
  });

  describe('string fields', () => {
    it('lists string fields as ignored, with their line and field key', () => {
      const result = success('m a=1,msg="hello world"\n# comment\nm status="ok",b=2,note="x"');
      expect([...result.batch.feeds]).toEqual(['m.a', 'm.b']);
      expect(result.ignored).toEqual([
        { line: 1, field: 'msg', reason: 'string fields are not stored' },
        { line: 3, field: 'status', reason: 'string fields are not stored' },
        { line: 3, field: 'note', reason: 'string fields are not stored' },
      ]);
    });

    it('accepts a line of string fields only, which yields no points', () => {
      const result = success(`m a="x",b="y" ${TS}`);
      expect(result.batch.feeds).toEqual([]);
      expect(result.batch.t).toHaveLength(0);
      expect(result.ignored.map((i) => i.field)).toEqual(['a', 'b']);
    });

    it('refuses an unterminated string', () => {
      expect(reason('cpu msg="abc')).toBe('unterminated string for field "msg"');
      expect(reason('cpu msg="abc def,x=1 123')).toBe('unterminated string for field "msg"');
    });

    it('reads a string value on across the newlines inside its quotes, as InfluxDB does', () => {
      const result = success('m s="a\nb",v=1\nm v=2');
      expect(points('m s="a\nb",v=1\nm v=2')).toEqual({ feeds: ['m.v', 'm.v'], t: [NOW, NOW], v: [1, 2] });
      expect(result.ignored).toEqual([{ line: 1, field: 's', reason: 'string fields are not stored' }]);
      expect(points(`m s="a \r\n\n  b\r",v=3 ${TS}\r\nm v=4`)).toEqual({
        feeds: ['m.v', 'm.v'],
        t: [TS_MS, NOW],
        v: [3, 4],
      });
      expect(points('m s="a\\"\n",t="\n\\\\",v=5')).toEqual({ feeds: ['m.v'], t: [NOW], v: [5] });
    });

    it('numbers each line by the physical line it starts on, counting newlines inside strings', () => {
      const body = 'm a=1\nm s="x\ny\n\nz",b=2\n# a "comment\nm c=3,note="p\nq"\nm d=oops\nm e=5';
      expect(failure(body).details).toEqual([{ line: 9, reason: 'invalid field value "oops" for field "d"' }]);
      const result = success(body.replace('oops', '4'));
      expect([...result.batch.feeds]).toEqual(['m.a', 'm.b', 'm.c', 'm.d', 'm.e']);
      expect(result.ignored.map(({ line, field }) => ({ line, field }))).toEqual([
        { line: 2, field: 's' },
        { line: 7, field: 'note' },
      ]);
    });

    it('counts a bad line whose string holds a newline once, wherever it is bad', () => {
      for (const bad of ['m x=oops,s="a\nb"', 'm s="a\nb",x=oops', 'm s="a\nb" 12.5', 'm,t=a x="\n"y', 'm x="\n",']) {
        const result = failure(`m x=1\n${bad}\nm y=2`);
        expect(result.message, bad).toBe('1 invalid line; nothing was stored');
        expect(result.details.map((d) => d.line)).toEqual([2]);
      }
    });

    it('lets a string that is never closed take the rest of the body, as InfluxDB does', () => {
      expect(failure('m x=1\nm s="open,v=1\nm y=2\nm z=3').details).toEqual([
        { line: 2, reason: 'unterminated string for field "s"' },
      ]);
    });

    it('ends a line at a newline outside quotes, in tags and comments too', () => {
      expect(feeds('# a "quoted\nm,t=a"b x=1\nm y="c"')).toEqual(['m.x{t="a\\"b"}']);
      expect(failure('m,t="a\nb" x=1').details).toEqual([{ line: 1, reason: 'missing field set' }]);
    });

    it('refuses text right after the closing quote', () => {
      expect(reason('m s="a"b')).toBe('unexpected text after string value of field "s"');
    });
  });

  describe('lines', () => {
    it('parses every line of a multi-line body, in order', () => {
      expect(points('a x=1 1000000\nb x=2 2000000\nc x=3,y=4 3000000\n')).toEqual({
        feeds: ['a.x', 'b.x', 'c.x', 'c.y'],
        t: [1, 2, 3, 3],
        v: [1, 2, 3, 4],
      });
    });

    it('accepts CRLF line endings', () => {
      expect(points('a x=1 1000000\r\nb x=2\r\nc s="q",x=3\r\n')).toEqual({
        feeds: ['a.x', 'b.x', 'c.x'],
        t: [1, NOW, NOW],
        v: [1, 2, 3],
      });
    });

    it('skips blank and comment lines but counts them', () => {
      const body = '# header\n\n   \n\t\ncpu v=1\n  # indented comment\r\n\r\ncpu v=oops\n';
      const result = failure(body);
      expect(result.details).toEqual([{ line: 8, reason: 'invalid field value "oops" for field "v"' }]);
      expect(points(body.replace('oops', '2')).v).toEqual([1, 2]);
    });

    it('allows leading whitespace, trailing whitespace and runs of spaces between sections', () => {
      expect(points('   cpu v=1\n\tcpu v=2  \ncpu   v=3    5000000   ')).toEqual({
        feeds: ['cpu.v', 'cpu.v', 'cpu.v'],
        t: [NOW, NOW, 5],
        v: [1, 2, 3],
      });
    });

    it('accepts a body without points', () => {
      for (const body of ['', '\n\n', '# only a comment', '  \r\n']) {
        const result = success(body);
        expect(result.batch.feeds).toEqual([]);
        expect(result.ignored).toEqual([]);
      }
    });

    it('resolves interleaved and similar series independently', () => {
      const body = [
        'cpu,host=a x=1',
        'cpu,host=ab x=2',
        'cpu,host=b x=3',
        'cpu,host=a x=4',
        'cpu,host=a\\ b x=5',
        'cpu,host=a y=6,x=7',
        'cpu,host=a x=8,xy=9,x\\ y=10',
        'cpu,host=a xy=11',
      ].join('\n');
      expect(points(body)).toEqual({
        feeds: [
          'cpu.x{host="a"}',
          'cpu.x{host="ab"}',
          'cpu.x{host="b"}',
          'cpu.x{host="a"}',
          'cpu.x{host="a b"}',
          'cpu.y{host="a"}',
          'cpu.x{host="a"}',
          'cpu.x{host="a"}',
          'cpu.xy{host="a"}',
          'cpu.x_y{host="a"}',
          'cpu.xy{host="a"}',
        ],
        t: Array<number>(11).fill(NOW),
        v: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
      });
    });

    it('reports a repeated bad series on every line', () => {
      const result = failure('cpu,=x v=1\ncpu,=x v=2');
      expect(result.details).toEqual([
        { line: 1, reason: 'empty tag key' },
        { line: 2, reason: 'empty tag key' },
      ]);
    });
  });

  describe('structure', () => {
    it.each([
      ['cpu', 'missing field set'],
      ['cpu,host=a', 'missing field set'],
      ['cpu   ', 'missing field set'],
      ['cpu value', 'missing "=" after field key "value"'],
      ['cpu x=1,value', 'missing "=" after field key "value"'],
      ['cpu x=1,va\\ lue 123', 'missing "=" after field key "va lue"'],
      ['cpu =1', 'empty field key'],
      ['cpu x=1,', 'empty field key'],
      ['cpu x=1,,y=2', 'empty field key'],
      ['cpu,host x=1', 'missing "=" in tag "host"'],
      ['cpu,host,dc=eu x=1', 'missing "=" in tag "host"'],
      ['cpu,=a x=1', 'empty tag key'],
      ['cpu, x=1', 'empty tag key'],
      ['cpu,host=a, x=1', 'empty tag key'],
      ['cpu,host= x=1', 'empty value for tag "host"'],
      ['cpu,host=,dc=eu x=1', 'empty value for tag "host"'],
      ['cpu,host=a=b x=1', 'unescaped "=" in value of tag "host"'],
      ['cpu,host=a,host=b x=1', 'duplicate tag "host"'],
      [',host=a x=1', 'missing measurement'],
      ['cpu msg="abc', 'unterminated string for field "msg"'],
      ['cpu x=1 12.5', 'invalid timestamp "12.5"'],
      ['cpu x=1 abc', 'invalid timestamp "abc"'],
      ['cpu x=1 +5', 'invalid timestamp "+5"'],
      ['cpu x=1 -', 'invalid timestamp "-"'],
      ['cpu x=1 y=2', 'invalid timestamp "y=2"'],
      ['cpu x=1 1764230400000000000 extra', 'unexpected text after timestamp'],
      ['cpu x=1 1764230400000000000 1', 'unexpected text after timestamp'],
      ['cpu x=1 -1', 'timestamp out of range'],
      ['cpu x=1 -1764230400000000000', 'timestamp out of range'],
    ])('refuses %j: %s', (line, expected) => {
      expect(reason(line)).toBe(expected);
    });
  });

  describe('timestamps', () => {
    it('converts nanoseconds, keeping the fraction of a millisecond', () => {
      const ts = 1764230400123456789n;
      const { t } = points(`m x=1 ${ts}`);
      expect(t).toEqual([contractMs(ts, 1_000_000n)]);
      expect(t[0]).toBeCloseTo(1764230400123.4568, 4);
      expect(points(`m x=1 ${TS}`).t).toEqual([TS_MS]);
      expect(points('m x=1 1').t).toEqual([0.000001]);
      expect(points('m x=1 0').t).toEqual([0]);
      expect(points('m x=1 -0').t).toEqual([0]);
    });

    it('uses nanoseconds when the precision says ns', () => {
      expect(points(`m x=1 ${TS}`, { precision: 'ns' }).t).toEqual([TS_MS]);
    });

    it('converts microseconds', () => {
      const { t } = points('m x=1 1764230400123456', { precision: 'us' });
      expect(t).toEqual([contractMs(1764230400123456n, 1000n)]);
      expect(t[0]).toBeCloseTo(1764230400123.456, 5);
      expect(points('m x=1 1764230400000000', { precision: 'us' }).t).toEqual([TS_MS]);
    });

    it('takes milliseconds as they are', () => {
      expect(points('m x=1 1764230400123', { precision: 'ms' }).t).toEqual([1764230400123]);
    });

    it('converts seconds', () => {
      expect(points('m x=1 1764230400', { precision: 's' }).t).toEqual([TS_MS]);
    });

    it('agrees with the BigInt conversion for many nanosecond timestamps', () => {
      const stamps: bigint[] = [];
      for (let k = 0n; k < 500n; k++) stamps.push(1764230400000000000n + k * 7919000013n + k * k);
      const body = stamps.map((ts) => `m x=1 ${ts}`).join('\n');
      expect(points(body).t).toEqual(stamps.map((ts) => contractMs(ts, 1_000_000n)));
    });

    it('accepts timestamps up to the largest signed 64-bit count of nanoseconds, and refuses later ones', () => {
      // 2262-04-11T23:47:16.854775807Z, the last instant InfluxDB's int64 nanoseconds can hold
      const last: [string, Precision, number][] = [
        ['9223372036854775807', 'ns', contractMs(9223372036854775807n, 1_000_000n)],
        ['9223372036854775', 'us', contractMs(9223372036854775n, 1000n)],
        ['9223372036854', 'ms', 9223372036854],
        ['9223372036', 's', 9223372036000],
      ];
      for (const [ts, precision, ms] of last) expect(points(`m x=1 ${ts}`, { precision }).t).toEqual([ms]);

      const tooLate: [string, Precision][] = [
        ['9223372036854775808', 'ns'],
        ['9300000000000000000', 'ns'],
        ['10000000000000000000', 'ns'],
        ['8640000000000000000000', 'ns'],
        ['9223372036854776', 'us'],
        ['8640000000000000000', 'us'],
        ['9223372036855', 'ms'],
        ['8640000000000000', 'ms'],
        ['9223372037', 's'],
        ['8640000000000', 's'],
        ['99999999999999999999999999999999999999', 'ns'],
      ];
      for (const [ts, precision] of tooLate) {
        const result = failure(`m x=1 ${ts}`, { precision });
        expect(result.details, `${ts} ${precision}`).toEqual([{ line: 1, reason: 'timestamp out of range' }]);
      }
      expect(points('m x=1 000009223372036854775807').t).toEqual([contractMs(9223372036854775807n, 1_000_000n)]);
    });

    it('gives points without a timestamp the server time', () => {
      expect(points(`a x=1\nb x=2 ${TS}\nc x=3`)).toEqual({
        feeds: ['a.x', 'b.x', 'c.x'],
        t: [NOW, TS_MS, NOW],
        v: [1, 2, 3],
      });
    });

    it('refuses a negative timestamp, also one below the signed 64-bit range', () => {
      for (const ts of ['-1000', '-9223372036854775808', '-9223372036854775809', '-99999999999999999999999']) {
        expect(failure(`m x=1 ${ts}`, { precision: 's' }).details).toEqual([
          { line: 1, reason: 'timestamp out of range' },
        ]);
      }
    });
  });

  describe('failures', () => {
    it('reports every bad line with its line number', () => {
      const body = ['cpu x=1', 'cpu x=abc', '# comment', '', 'cpu', 'cpu x=2', 'cpu,host x=1', 'cpu x=1 -5'].join('\n');
      const result = failure(body);
      expect(result).toEqual({
        ok: false,
        code: 'invalid_points',
        message: '4 invalid lines; nothing was stored',
        details: [
          { line: 2, reason: 'invalid field value "abc" for field "x"' },
          { line: 5, reason: 'missing field set' },
          { line: 7, reason: 'missing "=" in tag "host"' },
          { line: 8, reason: 'timestamp out of range' },
        ],
      });
    });

    it('says when one line is bad', () => {
      expect(failure('cpu x=1\ncpu x=?').message).toBe('1 invalid line; nothing was stored');
    });

    it('lists at most maxDetails lines but counts them all', () => {
      const body = Array.from({ length: 25 }, (_, k) => (k % 2 === 0 ? `m x=${k}` : `m x=bad${k}`)).join('\n');
      const result = failure(body, { maxDetails: 3 });
      expect(result.message).toBe('12 invalid lines; nothing was stored (first 3 listed)');
      expect(result.details).toEqual([
        { line: 2, reason: 'invalid field value "bad1" for field "x"' },
        { line: 4, reason: 'invalid field value "bad3" for field "x"' },
        { line: 6, reason: 'invalid field value "bad5" for field "x"' },
      ]);
      const unlisted = failure(body, { maxDetails: 0 });
      expect(unlisted.details).toEqual([]);
      expect(unlisted.message).toBe('12 invalid lines; nothing was stored');
    });

    it('refuses the whole body when one line is bad', () => {
      const result = parseLineProtocol('cpu x=1\ncpu x=2,y=oops', options());
      expect(result).toEqual({
        ok: false,
        code: 'invalid_points',
        message: '1 invalid line; nothing was stored',
        details: [{ line: 2, reason: 'invalid field value "oops" for field "y"' }],
      });
      expect('batch' in result).toBe(false);
    });
  });

  describe('maxPoints', () => {
    it('accepts exactly maxPoints points', () => {
      expect(success('m x=1,y=2\nm x=3', { maxPoints: 3 }).batch.feeds).toHaveLength(3);
    });

    it('refuses more than maxPoints points', () => {
      expect(parseLineProtocol('m x=1,y=2\nm x=3,y=4', options({ maxPoints: 3 }))).toEqual({
        ok: false,
        code: 'too_many_points',
        message: 'more than 3 points in one batch',
        details: [],
      });
    });

    it('stops parsing once the limit is exceeded', () => {
      const result = failure('m x=1,y=2\nm x=3,y=4\nm x=bad', { maxPoints: 3 });
      expect(result.code).toBe('too_many_points');
    });

    it('does not count string fields', () => {
      expect(success('m x=1,s="a"\nm y=2,s="b"', { maxPoints: 2 }).batch.feeds).toEqual(['m.x', 'm.y']);
    });
  });

  describe('options', () => {
    it('refuses an unknown precision', () => {
      for (const precision of ['m', 'constructor', '']) {
        expect(() => parseLineProtocol('m x=1', { ...options(), precision: precision as Precision })).toThrow(
          TypeError,
        );
      }
    });
  });
});

describe('parseLineProtocolInTurns', () => {
  // far longer than one turn's slice: lines of new series, lines repeating a series in changing layouts, and bad lines
  const lines = Array.from({ length: 30_000 }, (_, i) =>
    i % 3 === 0
      ? `fresh${i},host=h${i} v=${i}`
      : i % 3 === 1
        ? `cpu,host=h${i % 7} a=${i},b=2`
        : `cpu,host=h${i % 7} b=${i},a=1`,
  );
  const body = lines.join('\n');

  it('answers what parsing the body at once answers', async () => {
    const sliced = await parseLineProtocolInTurns(body, options({ maxPoints: 100_000 }));
    const whole = parseLineProtocol(body, options({ maxPoints: 100_000 }));
    if (!sliced.ok || !whole.ok) throw new Error('expected success');
    expect(sliced.batch.feeds.length).toBe(50_000);
    expect([...sliced.batch.feeds]).toEqual([...whole.batch.feeds]);
    expect(Array.from(sliced.batch.v)).toEqual(Array.from(whole.batch.v));
  });

  it('numbers bad lines across slices', async () => {
    const bad = [...lines];
    bad[25_000] = 'cpu,host=x v=oops';
    const result = await parseLineProtocolInTurns(bad.join('\n'), options({ maxPoints: 100_000 }));
    expect(result).toEqual(parseLineProtocol(bad.join('\n'), options({ maxPoints: 100_000 })));
    expect(result.ok ? [] : result.details).toEqual([
      { line: 25_001, reason: 'invalid field value "oops" for field "v"' },
    ]);
  });

  it('reads a string whose newlines straddle the end of a slice', async () => {
    // the string begins in the first slice and ends far into the next one
    const text = Array.from({ length: 4000 }, (_, k) => `line ${k}`).join('\n');
    const stringBody = ['m a=1', `m s="${text}",b=2`, 'm c=3', 'm d=oops'].join('\n');
    const sliced = await parseLineProtocolInTurns(stringBody, options());
    expect(sliced).toEqual(parseLineProtocol(stringBody, options()));
    expect(sliced.ok ? [] : sliced.details).toEqual([
      { line: 4003, reason: 'invalid field value "oops" for field "d"' },
    ]);
  });

  it('refuses too many points however the body is sliced', async () => {
    expect(await parseLineProtocolInTurns(body, options({ maxPoints: 49_999 }))).toMatchObject({
      code: 'too_many_points',
    });
  });
});

describe('lineProtocolText', () => {
  // over 64 KiB, with characters of two, three and four UTF-8 bytes near every piece's end
  const lines = Array.from({ length: 6000 }, (_, i) => `m,host=h${i % 50},city=Zürich\u{1F600}日本 v=${i}`);
  const body = lines.join('\n');

  it('cuts a long body into pieces of whole lines under 64 KiB that parse as the whole does', async () => {
    const pieces = lineProtocolText(Buffer.from(body));
    expect(Array.isArray(pieces)).toBe(true);
    expect(pieces.length).toBeGreaterThan(2);
    expect((pieces as string[]).join('')).toBe(body);
    for (const piece of (pieces as string[]).slice(0, -1)) expect(piece.endsWith('\n')).toBe(true);
    const whole = parseLineProtocol(body, options({ maxPoints: 100_000 }));
    expect(parseLineProtocol(pieces, options({ maxPoints: 100_000 }))).toEqual(whole);
    expect(await parseLineProtocolInTurns(pieces, options({ maxPoints: 100_000 }))).toEqual(whole);
  });

  it('numbers bad lines across pieces', () => {
    const bad = [...lines];
    bad[5_500] = 'm,host=x v=oops';
    const result = parseLineProtocol(lineProtocolText(Buffer.from(bad.join('\n'))), options({ maxPoints: 100_000 }));
    expect(result.ok ? [] : result.details).toEqual([
      { line: 5_501, reason: 'invalid field value "oops" for field "v"' },
    ]);
  });

  it('keeps a body whole when a string field could carry a newline across pieces, or when it is short', () => {
    expect(typeof lineProtocolText(Buffer.from(`${body}\nm s="a\nb"`))).toBe('string');
    expect(lineProtocolText(Buffer.from('m v=1'))).toBe('m v=1');
  });
});

describe('precisions', () => {
  it('lists the four InfluxDB precisions', () => {
    expect(PRECISIONS).toEqual(['ns', 'us', 'ms', 's']);
  });

  it.each([
    ['ns', true],
    ['us', true],
    ['ms', true],
    ['s', true],
    ['m', false],
    ['h', false],
    ['NS', false],
    ['', false],
  ])('isPrecision(%j) is %s', (value, expected) => {
    expect(isPrecision(value)).toBe(expected);
  });
});
