import { afterEach, describe, expect, it } from 'vitest';
import { parseRoute, redirectFor, routeHref, Router } from './router.svelte';

describe('parseRoute', () => {
  it.each([
    ['#/d/home', { name: 'dashboard', id: 'home' }],
    ['#/d/ops.eu-1', { name: 'dashboard', id: 'ops.eu-1' }],
    ['#/d/ops?window=5m', { name: 'dashboard', id: 'ops' }],
    ['#/dashboards', { name: 'dashboards' }],
    ['#/dashboards/', { name: 'dashboards' }],
    ['#/explore', { name: 'explore' }],
    ['#/feed/demo.cpu.user', { name: 'feed', feed: 'demo.cpu.user' }],
    ['#/feed/host%3A1.cpu', { name: 'feed', feed: 'host:1.cpu' }],
  ])('%s is %o', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it.each(['#/nowhere', '#/d', '#/d/', '#/d/a/b', '#/feed/', '#/explore/more', '#/feed/%E0%A4%A', '#/d//'])(
    '%s is not found',
    (hash) => {
      expect(parseRoute(hash).name).toBe('not-found');
    },
  );

  it('names the unknown path', () => {
    expect(parseRoute('#/settings')).toEqual({ name: 'not-found', path: '/settings' });
  });
});

describe('redirectFor', () => {
  it.each(['', '#', '#/'])('sends %j home', (hash) => {
    expect(redirectFor(hash)).toBe('#/d/home');
  });

  it('leaves pages alone', () => {
    expect(redirectFor('#/explore')).toBeUndefined();
  });
});

describe('routeHref', () => {
  it.each([
    { name: 'dashboard', id: 'home' },
    { name: 'dashboards' },
    { name: 'explore' },
    { name: 'feed', feed: 'host:1.cpu_user-total' },
  ] as const)('round-trips %o', (route) => {
    expect(parseRoute(routeHref(route))).toEqual(route);
  });
});

describe('Router', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    cleanups.splice(0).forEach((cleanup) => cleanup());
    history.replaceState(null, '', '#/');
  });

  function hashChange(hash: string): void {
    history.replaceState(null, '', hash);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  }

  it('redirects #/ to the home dashboard without adding a history entry', () => {
    history.replaceState(null, '', '#/');
    const entries = history.length;
    const router = new Router();
    expect(router.route).toEqual({ name: 'dashboard', id: 'home' });
    expect(location.hash).toBe('#/d/home');
    expect(history.length).toBe(entries);
  });

  it('follows hash changes while listening, and stops after cleanup', () => {
    history.replaceState(null, '', '#/explore');
    const router = new Router();
    const stop = router.listen();
    cleanups.push(stop);
    expect(router.route).toEqual({ name: 'explore' });

    hashChange('#/feed/demo.cpu');
    expect(router.route).toEqual({ name: 'feed', feed: 'demo.cpu' });

    hashChange('#/');
    expect(router.route).toEqual({ name: 'dashboard', id: 'home' });
    expect(location.hash).toBe('#/d/home');

    stop();
    hashChange('#/dashboards');
    expect(router.route).toEqual({ name: 'dashboard', id: 'home' });
  });
});
