import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../data/api';
import { mayDeleteAnnotation, type SessionState } from '../shell/session.svelte';
import PlotOverlay from './PlotOverlay.svelte';
import type { NoteMark } from './time-series-view.svelte';

const box = { left: 50, top: 10, width: 500, height: 200 };

const deploy: NoteMark = { id: 'n1', left: 300, text: 'deploy v2', author: 'Ada', title: 'deploy v2 (Ada, 12:00:05)' };
const rollback: NoteMark = { id: 'n2', left: 400, text: 'rollback', author: 'Bo', title: 'rollback (Bo, 12:00:09)' };

const ada: SessionState = {
  status: 'signed-in',
  sub: 'ada',
  name: 'Ada',
  role: 'viewer',
  feeds: ['>'],
  expiresAt: null,
};

function renderNotes(session: SessionState, onDelete: (id: string) => Promise<void> = () => Promise.resolve()) {
  render(PlotOverlay, {
    props: {
      box,
      gaps: [],
      notes: [deploy, rollback],
      onSave: () => Promise.resolve(),
      onCancel: () => {},
      canDelete: (note: NoteMark) => mayDeleteAnnotation(session, note),
      onDelete,
    },
  });
}

/** The Delete button in the note whose marker is titled `text`, if it has one. */
function deleteButton(text: string): HTMLButtonElement | null {
  const marker = screen.getByRole('button', { name: new RegExp(`^Annotation: ${text}`) });
  return marker.parentElement!.querySelector<HTMLButtonElement>('[data-testid="annotation-delete"]');
}

describe('PlotOverlay', () => {
  afterEach(cleanup);

  it('places gap and annotation markers, with the note’s text as their title', () => {
    render(PlotOverlay, {
      props: {
        box,
        gaps: [{ key: 'a.b@1', left: 100, width: 40, title: 'a.b: no data from 12:00:01 to 12:00:09' }],
        notes: [deploy],
        onSave: () => Promise.resolve(),
        onCancel: () => {},
      },
    });
    const gap = screen.getByTestId('gap-marker');
    expect(gap.style.left).toBe('100px');
    expect(gap.style.width).toBe('40px');
    const note = screen.getByTestId('annotation-marker');
    expect(note.getAttribute('title')).toContain('deploy v2');
    expect(note.parentElement!.style.left).toBe('300px');
    expect(note.tagName).toBe('BUTTON');
    expect(screen.queryByTestId('annotation-input')).toBeNull();
    // no one said it may be deleted
    expect(screen.queryByTestId('annotation-delete')).toBeNull();
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

  it('offers Delete on one’s own notes only, unless admin or on an open server', () => {
    renderNotes(ada);
    expect(deleteButton('deploy v2')).not.toBeNull();
    expect(deleteButton('rollback')).toBeNull();
    cleanup();

    renderNotes({ ...ada, role: 'admin' });
    expect(screen.getAllByTestId('annotation-delete')).toHaveLength(2);
    cleanup();

    renderNotes({ status: 'open' });
    expect(screen.getAllByTestId('annotation-delete')).toHaveLength(2);
  });

  it('deletes with a keyboard-reachable button beside the note’s text', async () => {
    const onDelete = vi.fn((_id: string) => Promise.resolve());
    renderNotes(ada, onDelete);
    const button = deleteButton('deploy v2')!;
    expect(button.tagName).toBe('BUTTON');
    expect(button.tabIndex).toBe(0);
    expect(button.textContent).toBe('Delete');
    expect(button.getAttribute('aria-label')).toBe('Delete annotation: deploy v2');
    expect(button.parentElement!.textContent).toContain('deploy v2');
    await fireEvent.click(button);
    expect(onDelete).toHaveBeenCalledWith('n1');
  });

  it('says politely who may delete a note the server refused to delete, and keeps it', async () => {
    const onDelete = vi.fn(() =>
      Promise.reject(new ApiError(403, 'forbidden', 'only its author or an admin may delete an annotation')),
    );
    renderNotes({ status: 'open' }, onDelete);
    await fireEvent.click(deleteButton('rollback')!);
    const message = await screen.findByText('Only its author or an admin can delete this note');
    expect(message.getAttribute('role')).toBe('status');
    expect(screen.getAllByTestId('annotation-marker')).toHaveLength(2);
    expect(deleteButton('rollback')!.getAttribute('aria-disabled')).toBe('false');
  });
});
