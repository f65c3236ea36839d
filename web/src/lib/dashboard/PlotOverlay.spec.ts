import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import PlotOverlay from './PlotOverlay.svelte';

const box = { left: 50, top: 10, width: 500, height: 200 };

describe('PlotOverlay', () => {
  afterEach(cleanup);

  it('places gap and annotation markers, with the note’s text as their title', () => {
    render(PlotOverlay, {
      props: {
        box,
        gaps: [{ key: 'a.b@1', left: 100, width: 40, title: 'a.b: no data from 12:00:01 to 12:00:09' }],
        notes: [{ id: 'n1', left: 300, text: 'deploy v2', title: 'deploy v2 (Ada, 12:00:05)' }],
        onSave: () => Promise.resolve(),
        onCancel: () => {},
      },
    });
    const gap = screen.getByTestId('gap-marker');
    expect(gap.style.left).toBe('100px');
    expect(gap.style.width).toBe('40px');
    const note = screen.getByTestId('annotation-marker');
    expect(note.getAttribute('title')).toContain('deploy v2');
    expect(note.style.left).toBe('300px');
    expect(note.tagName).toBe('BUTTON');
    expect(screen.queryByTestId('annotation-input')).toBeNull();
  });

  it('saves a note with Enter and cancels it with Escape', async () => {
    const onSave = vi.fn(() => Promise.resolve());
    const onCancel = vi.fn();
    render(PlotOverlay, { props: { box, gaps: [], notes: [], draft: { t: 1_000, left: 120 }, onSave, onCancel } });
    const input = screen.getByTestId<HTMLInputElement>('annotation-input');
    await fireEvent.input(input, { target: { value: '  deploy v3 ' } });
    await fireEvent.submit(input.form!);
    expect(onSave).toHaveBeenCalledWith('deploy v3');
    await fireEvent.keyDown(input, { key: 'Escape' });
    expect(onCancel).toHaveBeenCalledOnce();
  });
});
