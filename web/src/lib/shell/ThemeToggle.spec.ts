import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import ThemeToggle from './ThemeToggle.svelte';

describe('ThemeToggle', () => {
  afterEach(cleanup);

  it('shows the current choice and reports a new one', async () => {
    const onChoose = vi.fn();
    render(ThemeToggle, { preference: 'system', onChoose });
    expect(screen.getByRole<HTMLInputElement>('radio', { name: 'System' }).checked).toBe(true);

    await fireEvent.click(screen.getByRole('radio', { name: 'Dark' }));
    expect(onChoose).toHaveBeenCalledWith('dark');
  });
});
