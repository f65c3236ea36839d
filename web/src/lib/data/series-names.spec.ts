import { describe, expect, it } from 'vitest';
import { differingLabels, labelKeysOf, legendNames, seriesIdOf } from './series-names';

describe('legend names', () => {
  it('names each series by the labels that differ between them', () => {
    expect(legendNames(['cpu.usage{host="a"}', 'cpu.usage{host="b"}'])).toEqual(['host=a', 'host=b']);
    // labels every series shares say nothing
    expect(legendNames(['cpu.usage{dc="eu",host="a"}', 'cpu.usage{dc="eu",host="b"}'])).toEqual(['host=a', 'host=b']);
    expect(
      legendNames(['cpu.usage{dc="eu",host="a"}', 'cpu.usage{dc="us",host="a"}', 'cpu.usage{dc="us",host="b"}']),
    ).toEqual(['dc=eu, host=a', 'dc=us, host=a', 'dc=us, host=b']);
  });

  it('goes by the full key for one series, or when nothing of it differs', () => {
    expect(legendNames(['cpu.usage{host="a"}'])).toEqual(['cpu.usage{host="a"}']);
    expect(legendNames(['cpu.usage'])).toEqual(['cpu.usage']);
    expect(legendNames([])).toEqual([]);
    // the series without the label reads it as "": it differs, but has no label to show
    expect(legendNames(['cpu.usage', 'cpu.usage{host="a"}'])).toEqual(['cpu.usage', 'host=a']);
  });

  it('leads with the name when the names differ too', () => {
    expect(legendNames(['cpu.idle{host="a"}', 'cpu.usage{host="a"}', 'cpu.usage{host="b"}'])).toEqual([
      'cpu.idle host=a',
      'cpu.usage host=a',
      'cpu.usage host=b',
    ]);
    expect(legendNames(['b1.latency', 'b2.latency'])).toEqual(['b1.latency', 'b2.latency']);
  });

  it('shows values as they are, unescaped', () => {
    expect(legendNames(['disk{path="C:\\\\x \\"y\\""}', 'disk{path="/"}'])).toEqual(['path=C:\\x "y"', 'path=/']);
  });

  it('lists the label keys that differ, and every label key a panel can be grouped by', () => {
    const keys = ['m{a="1",b="x"}', 'm{a="2",b="x"}', 'm{a="1",c="y"}'];
    expect(differingLabels(keys.map(seriesIdOf))).toEqual(['a', 'b', 'c']);
    expect(differingLabels(['m{a="1",b="x"}', 'm{a="2",b="x"}'].map(seriesIdOf))).toEqual(['a']);
    expect(labelKeysOf(keys)).toEqual(['a', 'b', 'c']);
    expect(labelKeysOf(['plain', 'other'])).toEqual([]);
  });
});
