import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import AppHeader from './AppHeader.svelte';
import type { SessionState } from './session.svelte';

function renderHeader(session: SessionState, onSignOut: () => Promise<void> = () => Promise.resolve()) {
  render(AppHeader, {
    route: { name: 'dashboard', id: 'home' },
    connection: 'connected',
    theme: 'system',
    onChooseTheme: () => {},
    session,
    onSignOut,
  });
}

const alice: SessionState = {
  status: 'signed-in',
  sub: 'alice',
  name: 'Alice',
  role: 'viewer',
  feeds: ['host1.>'],
  expiresAt: 1,
};

describe('AppHeader', () => {
  afterEach(cleanup);

  it('shows who is signed in, with their role, and signs out on request', async () => {
    const onSignOut = vi.fn(() => Promise.resolve());
    renderHeader(alice, onSignOut);
    expect(screen.getByTestId('session-name').textContent).toBe('Alice');
    expect(screen.getByText('viewer')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('sign-out'));
    expect(onSignOut).toHaveBeenCalledOnce();
  });

  it('says when signing out failed', async () => {
    renderHeader(alice, () => Promise.reject(new Error('network error')));
    await fireEvent.click(screen.getByTestId('sign-out'));
    expect((await screen.findByRole('alert')).textContent).toBe('Not signed out: network error');
  });

  it('has no one to show and nothing to sign out of in open mode', () => {
    renderHeader({ status: 'open' });
    expect(screen.queryByTestId('session-name')).toBeNull();
    expect(screen.queryByTestId('sign-out')).toBeNull();
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeTruthy();
    expect(screen.getByTestId('connection-state').textContent).toBe('connected');
  });

  it('shows neither navigation nor connection while signed out', () => {
    renderHeader({ status: 'signed-out', reason: 'unauthorized' });
    expect(screen.queryByRole('navigation')).toBeNull();
    expect(screen.queryByTestId('connection-state')).toBeNull();
    expect(screen.queryByTestId('sign-out')).toBeNull();
  });
});
