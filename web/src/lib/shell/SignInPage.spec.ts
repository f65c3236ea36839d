import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, PulseboardApi } from '../data/api';
import { LiveClient } from '../data/live-client.svelte';
import { FakeConsumer } from '../data/testing/fake-consumer';
import { SessionManager } from './session.svelte';
import SignInPage from './SignInPage.svelte';

describe('SignInPage', () => {
  afterEach(cleanup);

  it('offers a labelled, focused password field and says where a token comes from', () => {
    render(SignInPage, { reason: 'unauthorized', onSignIn: vi.fn() });
    const field = screen.getByLabelText('Token');
    expect(field).toBe(screen.getByTestId('sign-in-token'));
    expect(field.getAttribute('type')).toBe('password');
    expect(document.activeElement).toBe(field);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Sign in to Pulseboard');
    expect(screen.getByTestId('sign-in-form').textContent).not.toContain('expired');
    expect(document.body.textContent).toContain('npm run token -- --role viewer');
  });

  it('submits the token, and shows the server’s message when it is refused', async () => {
    const onSignIn = vi.fn((token: string) =>
      Promise.reject(new ApiError(401, 'token_expired', `token ${token.slice(0, 3)}… expired at 08:00`)),
    );
    render(SignInPage, { reason: 'unauthorized', onSignIn });
    const field = screen.getByTestId<HTMLInputElement>('sign-in-token');
    await fireEvent.input(field, { target: { value: ' eyJ.old \n' } });
    const button = screen.getByRole('button', { name: 'Sign in' });
    button.focus();
    await fireEvent.click(button);
    expect(onSignIn).toHaveBeenCalledWith('eyJ.old');

    const error = await screen.findByTestId('sign-in-error');
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toBe('token eyJ… expired at 08:00');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(field.getAttribute('aria-describedby')).toBe(error.id);
    // back in the field, its text selected, ready for a pasted replacement
    await vi.waitFor(() => expect(document.activeElement).toBe(field));
    expect(field.selectionStart).toBe(0);
    expect(field.selectionEnd).toBe(field.value.length);
  });

  it('does not send an empty token', async () => {
    const onSignIn = vi.fn(() => Promise.resolve());
    render(SignInPage, { reason: 'unauthorized', onSignIn });
    await fireEvent.input(screen.getByTestId('sign-in-token'), { target: { value: '   ' } });
    await fireEvent.submit(screen.getByTestId('sign-in-form'));
    expect(onSignIn).not.toHaveBeenCalled();
  });

  it('says why a session ended', () => {
    render(SignInPage, { reason: 'token_expired', onSignIn: vi.fn() });
    expect(document.body.textContent).toContain('Your session has expired.');
  });

  it('signs the session in through the server, showing its refusal first', async () => {
    // the server's answers in turn: no cookie yet, an expired token, then a good one
    const answers = [
      Response.json({ error: { code: 'unauthorized', message: 'a token is required', details: [] } }, { status: 401 }),
      Response.json(
        { error: { code: 'token_expired', message: 'the token expired at 2025-11-27T08:00:00Z', details: [] } },
        { status: 401 },
      ),
      Response.json({ auth: true, sub: 'bob', name: 'Bob', role: 'producer', feeds: ['>'], expiresAt: 2 }),
    ];
    const fetcher = vi.fn(() => Promise.resolve(answers.shift()!));
    const client = new LiveClient({
      url: 'http://pulse.test',
      consumer: new FakeConsumer(),
      api: new PulseboardApi('http://pulse.test', fetcher),
    });
    const session = new SessionManager(client);
    session.listen();
    await vi.waitFor(() => expect(session.state.status).toBe('signed-out'));

    render(SignInPage, { reason: 'unauthorized', onSignIn: (token: string) => session.signIn(token) });
    const field = screen.getByTestId('sign-in-token');
    await fireEvent.input(field, { target: { value: 'expired' } });
    // the form's submit is what Enter in the field triggers
    await fireEvent.submit(screen.getByTestId('sign-in-form'));
    expect((await screen.findByTestId('sign-in-error')).textContent).toBe('the token expired at 2025-11-27T08:00:00Z');
    expect(session.state.status).toBe('signed-out');

    await fireEvent.input(field, { target: { value: 'fresh' } });
    await fireEvent.submit(screen.getByTestId('sign-in-form'));
    await vi.waitFor(() => expect(session.state).toMatchObject({ status: 'signed-in', name: 'Bob' }));
    expect(fetcher).toHaveBeenCalledTimes(3);
  });
});
