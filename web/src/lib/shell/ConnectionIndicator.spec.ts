import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import ConnectionIndicator from './ConnectionIndicator.svelte';

describe('ConnectionIndicator', () => {
  afterEach(cleanup);

  it.each(['connecting', 'connected', 'reconnecting', 'offline'] as const)(
    'reads %s in a polite live region',
    (state) => {
      render(ConnectionIndicator, { state });
      const status = screen.getByTestId('connection-state');
      expect(status.textContent).toBe(state);
      expect(status.getAttribute('role')).toBe('status');
      expect(status.getAttribute('aria-live')).toBe('polite');
      expect(status.closest('.indicator')?.classList.contains(state)).toBe(true);
    },
  );

  it('offers a retry while offline, and tells the problem on hover', async () => {
    const onRetry = vi.fn();
    render(ConnectionIndicator, { state: 'offline', problem: 'stream refused (503)', onRetry });
    expect(screen.getByTestId('connection-state').parentElement?.title).toContain('stream refused (503)');
    await fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalledOnce();
  });

  it('offers no retry while connected', () => {
    render(ConnectionIndicator, { state: 'connected', onRetry: () => {} });
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
  });

  it('follows the state as it changes', async () => {
    const { rerender } = render(ConnectionIndicator, { state: 'connected' });
    await rerender({ state: 'reconnecting' });
    expect(screen.getByTestId('connection-state').textContent).toBe('reconnecting');
  });
});
