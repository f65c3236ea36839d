import type { Viewer } from '@pulseboard/protocol';
import { cleanup, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import PresenceList from './PresenceList.svelte';

const viewers = (n: number): Viewer[] => Array.from({ length: n }, (_, i) => ({ id: `v${i}`, name: `Viewer ${i}` }));

describe('PresenceList', () => {
  afterEach(cleanup);

  it('shows five viewers and counts the other listed ones', () => {
    render(PresenceList, { props: { viewers: viewers(7), count: 7 } });
    expect(screen.getAllByTestId('presence-viewer')).toHaveLength(7);
    const more = screen.getByTestId('presence-more');
    expect(more.textContent).toBe('+2');
    expect(more.getAttribute('title')).toBe('Viewer 5, Viewer 6');
  });

  it('counts the viewers of a crowded dashboard the server does not list', () => {
    render(PresenceList, { props: { viewers: viewers(100), count: 600 } });
    const more = screen.getByTestId('presence-more');
    expect(more.textContent).toBe('+595');
    expect(more.getAttribute('title')).toMatch(/^Viewer 5, .*, Viewer 99, 500 more$/);
  });

  it('shows nothing more when everyone fits', () => {
    render(PresenceList, { props: { viewers: viewers(2), count: 2 } });
    expect(screen.getAllByTestId('presence-viewer')).toHaveLength(2);
    expect(screen.queryByTestId('presence-more')).toBeNull();
  });
});
