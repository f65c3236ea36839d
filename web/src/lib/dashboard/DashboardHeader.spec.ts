import type { Dashboard } from '@pulseboard/protocol';
import { cleanup, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PulseboardApi } from '../data/api';
import { DashboardManager } from './dashboard-manager.svelte';
import DashboardHeader from './DashboardHeader.svelte';
import { PresenceManager } from './presence.svelte';

const ops: Dashboard = { id: 'ops', title: 'Ops', window: '5m', panels: [], createdAt: 1, updatedAt: 1 };

/** A dashboard whose saves the server answers with `status` and `code`; the real endpoint is covered by the e2e suites. */
async function refusedDashboard(status: number, code: string, message: string) {
  const api = new PulseboardApi('http://pulse.test', (_url, init) =>
    Promise.resolve(
      init?.method === 'PUT'
        ? Response.json({ error: { code, message, details: [] } }, { status })
        : Response.json(ops),
    ),
  );
  const dashboard = new DashboardManager(api, 'ops');
  dashboard.listen();
  await vi.waitFor(() => expect(dashboard.status).toBe('ready'));
  dashboard.setWindow('1h');
  await vi.waitFor(() => expect(dashboard.problem).toBeDefined());
  return dashboard;
}

function renderHeader(dashboard: DashboardManager) {
  const presence = new PresenceManager(
    {
      controlConnected: false,
      join: () => Promise.resolve({ dashboard: 'ops', viewers: [], count: 0 }),
      leave: () => {},
      onPresence: () => () => {},
      onControlConnect: () => () => {},
    },
    'ops',
  );
  render(DashboardHeader, {
    dashboard,
    presence,
    paused: false,
    editing: false,
    adding: false,
    onTogglePaused: () => {},
    onToggleEditing: () => {},
    onAddPanel: () => {},
    onSaveAsNew: () => Promise.resolve(),
  });
}

describe('DashboardHeader', () => {
  afterEach(cleanup);

  it('says in the dashboard that a viewer cannot change it, and offers no pointless retry', async () => {
    renderHeader(await refusedDashboard(403, 'forbidden', 'not your dashboard'));
    const message = screen.getByTestId('save-forbidden');
    expect(message.getAttribute('role')).toBe('alert');
    expect(message.textContent).toContain('You can view this dashboard but not change it');
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Save as new' })).toBeTruthy();
    expect(screen.getByTestId('save-state').textContent).toBe('unsaved');
  });

  it('offers a retry for other failed saves', async () => {
    renderHeader(await refusedDashboard(503, 'shutting_down', 'the server is shutting down'));
    expect(screen.queryByTestId('save-forbidden')).toBeNull();
    expect(screen.getByRole('button', { name: 'Retry' })).toBeTruthy();
  });
});
