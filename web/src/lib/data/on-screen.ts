type Listener = (onScreen: boolean) => void;

const listeners = new Map<Element, Listener>();
let observer: IntersectionObserver | undefined;

/**
 * Tells `listener` whether `element` is on screen (or within a short scroll
 * of it), through one shared `IntersectionObserver` for the page. Where there
 * is none (jsdom), everything counts as on screen. Returns the cleanup.
 */
export function watchOnScreen(element: Element, listener: Listener): () => void {
  if (typeof IntersectionObserver !== 'function') {
    listener(true);
    return () => {};
  }
  observer ??= new IntersectionObserver(
    (entries) => {
      for (const entry of entries) listeners.get(entry.target)?.(entry.isIntersecting);
    },
    // a panel about to scroll in is drawn already, so it never shows stale
    { rootMargin: '200px 0px' },
  );
  listeners.set(element, listener);
  observer.observe(element);
  return () => {
    listeners.delete(element);
    observer?.unobserve(element);
  };
}
