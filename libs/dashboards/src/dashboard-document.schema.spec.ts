import { ApiError, parseWithSchema } from '@pulseboard/api';
import type { DashboardDocument, Panel } from '@pulseboard/protocol';
import { describe, expect, it } from 'vitest';
import { dashboardDocumentSchema } from './dashboard-document.schema.js';

function panel(extra: Partial<Panel> | Record<string, unknown> = {}): Panel {
  return {
    id: 'cpu',
    kind: 'timeseries',
    title: 'CPU',
    unit: '%',
    feeds: ['host1.cpu.user'],
    x: 0,
    y: 0,
    w: 6,
    h: 4,
    ...extra,
  };
}

function document(extra: Partial<DashboardDocument> | Record<string, unknown> = {}): DashboardDocument {
  return { title: 'Ops', window: '5m', panels: [panel()], ...extra };
}

/** How a value is refused: the code and the field of each detail. */
function refusal(value: unknown): { code: string; fields: string[] } {
  try {
    parseWithSchema(dashboardDocumentSchema, value, 'invalid_body');
  } catch (error) {
    if (error instanceof ApiError) return { code: error.code, fields: error.details.map((d) => d.field ?? '') };
    throw error;
  }
  throw new Error('expected the document to be refused');
}

describe('dashboardDocumentSchema', () => {
  it('accepts a document at every bound', () => {
    const edge: DashboardDocument = {
      title: 't'.repeat(200),
      window: '1h',
      panels: [
        panel({
          id: 'a'.repeat(64),
          kind: 'stat',
          title: 'x'.repeat(200),
          unit: 'u'.repeat(32),
          x: 11,
          w: 1,
          y: 1000,
          h: 50,
        }),
        panel({
          id: 'Z_9-',
          title: '',
          unit: '',
          feeds: Array.from({ length: 20 }, (_, i) => `f${i}.v`),
          x: 0,
          w: 12,
          y: 0,
          h: 1,
        }),
        ...Array.from({ length: 98 }, (_, i) => panel({ id: `p${i}` })),
      ],
    };
    expect(parseWithSchema(dashboardDocumentSchema, edge, 'invalid_body')).toEqual(edge);
    expect(parseWithSchema(dashboardDocumentSchema, document({ panels: [] }), 'invalid_body').panels).toEqual([]);
  });

  it.each<[string, unknown, string, string[]]>([
    ['an array', [], 'invalid_body', ['']],
    ['an empty title', document({ title: '' }), 'invalid_body', ['title']],
    ['a title that is too long', document({ title: 't'.repeat(201) }), 'invalid_body', ['title']],
    ['an unknown window', document({ window: '2h' }), 'invalid_body', ['window']],
    ['no panels', { title: 'Ops', window: '5m' }, 'invalid_body', ['panels']],
    [
      'too many panels',
      document({ panels: Array.from({ length: 101 }, (_, i) => panel({ id: `p${i}` })) }),
      'invalid_body',
      ['panels'],
    ],
    ['an unknown key', document({ colour: 'red' }), 'invalid_body', ['colour']],
    ['an unknown panel key', document({ panels: [panel({ colour: 'red' })] }), 'invalid_body', ['panels.0.colour']],
    ['an empty panel id', document({ panels: [panel({ id: '' })] }), 'invalid_body', ['panels.0.id']],
    ['a panel id with a dot', document({ panels: [panel({ id: 'a.b' })] }), 'invalid_body', ['panels.0.id']],
    [
      'a panel id that is too long',
      document({ panels: [panel({ id: 'a'.repeat(65) })] }),
      'invalid_body',
      ['panels.0.id'],
    ],
    [
      'duplicate panel ids',
      document({ panels: [panel(), panel({ x: 6 }), panel({ y: 4 })] }),
      'invalid_body',
      ['panels.1.id', 'panels.2.id'],
    ],
    ['an unknown kind', document({ panels: [panel({ kind: 'pie' })] }), 'invalid_body', ['panels.0.kind']],
    [
      'a panel title that is too long',
      document({ panels: [panel({ title: 'x'.repeat(201) })] }),
      'invalid_body',
      ['panels.0.title'],
    ],
    [
      'a unit that is too long',
      document({ panels: [panel({ unit: 'u'.repeat(33) })] }),
      'invalid_body',
      ['panels.0.unit'],
    ],
    [
      'too many feeds',
      document({ panels: [panel({ feeds: Array.from({ length: 21 }, (_, i) => `f${i}`) })] }),
      'invalid_body',
      ['panels.0.feeds'],
    ],
    [
      'a bad feed name',
      document({ panels: [panel({ feeds: ['ok.feed', 'a..b'] })] }),
      'invalid_pattern',
      ['panels.0.feeds.1'],
    ],
    [
      'a selector with an unclosed matcher',
      document({ panels: [panel({ feeds: ['cpu.usage{host="a"'] })] }),
      'invalid_pattern',
      ['panels.0.feeds.0'],
    ],
    [
      'a selector with a bad label key',
      document({ panels: [panel({ feeds: ['cpu.usage{__name__="a"}'] })] }),
      'invalid_pattern',
      ['panels.0.feeds.0'],
    ],
    [
      'a groupBy that is not a label key',
      document({ panels: [panel({ groupBy: 'a-b' })] }),
      'invalid_body',
      ['panels.0.groupBy'],
    ],
    ['an empty groupBy', document({ panels: [panel({ groupBy: '' })] }), 'invalid_body', ['panels.0.groupBy']],
    [
      'an unknown aggregate',
      document({ panels: [panel({ aggregate: 'median' })] }),
      'invalid_body',
      ['panels.0.aggregate'],
    ],
    [
      'a feed that is not a string',
      document({ panels: [panel({ feeds: [42] })] }),
      'invalid_body',
      ['panels.0.feeds.0'],
    ],
    ['a fractional x', document({ panels: [panel({ x: 1.5 })] }), 'invalid_body', ['panels.0.x']],
    ['a negative x', document({ panels: [panel({ x: -1 })] }), 'invalid_body', ['panels.0.x']],
    ['x past the last column', document({ panels: [panel({ x: 12, w: 1 })] }), 'invalid_body', ['panels.0.x']],
    ['a zero width', document({ panels: [panel({ w: 0 })] }), 'invalid_body', ['panels.0.w']],
    ['a width over the grid', document({ panels: [panel({ x: 0, w: 13 })] }), 'invalid_body', ['panels.0.w']],
    ['x + w over the grid', document({ panels: [panel({ x: 6, w: 7 })] }), 'invalid_body', ['panels.0.w']],
    ['y past the last row', document({ panels: [panel({ y: 1001 })] }), 'invalid_body', ['panels.0.y']],
    ['a zero height', document({ panels: [panel({ h: 0 })] }), 'invalid_body', ['panels.0.h']],
    ['a height over the bound', document({ panels: [panel({ h: 51 })] }), 'invalid_body', ['panels.0.h']],
    ['a position as a string', document({ panels: [panel({ y: '2' })] }), 'invalid_body', ['panels.0.y']],
    ['a missing field', document({ panels: [{ ...panel(), unit: undefined }] }), 'invalid_body', ['panels.0.unit']],
  ])('refuses %s', (_, value, code, fields) => {
    expect(refusal(value)).toEqual({ code, fields });
  });

  it('accepts selectors, group-by and aggregates beside plain feed names', () => {
    const labelled = document({
      panels: [
        panel({ feeds: ['host1.cpu.user', 'cpu.*', 'host1.>', 'cpu.usage{host=~"a|b",env!="test"}'] }),
        panel({ id: 'by-host', feeds: ['>{tenant="acme"}'], groupBy: 'host', aggregate: 'sum' }),
        panel({ id: 'stat', kind: 'stat', feeds: ['api.latency{region="eu"}'], aggregate: 'max' }),
      ],
    });
    expect(parseWithSchema(dashboardDocumentSchema, labelled, 'invalid_body')).toEqual(labelled);
  });

  it('keeps a document without groupBy or aggregate as it was', () => {
    const plain = document();
    expect(Object.keys(parseWithSchema(dashboardDocumentSchema, plain, 'invalid_body').panels[0]).sort()).toEqual(
      Object.keys(panel()).sort(),
    );
  });

  it('names every bad field of a document at once', () => {
    const bad = { title: '', window: '5m', panels: [panel({ x: -1, h: 0 }), panel({ id: 'mem', feeds: ['a..b'] })] };
    expect(refusal(bad).fields).toEqual(['title', 'panels.0.x', 'panels.0.h', 'panels.1.feeds.0']);
  });
});
