/** A generator of one realistic-looking signal: called once per sample with the time in ms. */
export type Signal = (t: number) => number;

/** Standard normal variate (Box–Muller). */
export function gaussian(random: () => number = Math.random): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A random walk with a gentle pull back to `center`, kept within [min, max]. */
export function randomWalk(center: number, step: number, min: number, max: number, random = Math.random): Signal {
  let value = center;
  return () => {
    value += gaussian(random) * step + (center - value) * 0.01;
    value = Math.min(max, Math.max(min, value));
    return value;
  };
}

/** A sine of the given period (ms) and amplitude around `offset`, plus Gaussian noise. */
export function noisySine(
  periodMs: number,
  amplitude: number,
  offset: number,
  noise: number,
  random = Math.random,
): Signal {
  return (t) => offset + amplitude * Math.sin((2 * Math.PI * t) / periodMs) + gaussian(random) * noise;
}

/**
 * Request latency: log-normal around `medianMs`, with rare spikes of 10–40×
 * that decay over a few samples, as a service behind a busy dependency does.
 */
export function spikyLatency(medianMs: number, spikeChance: number, random = Math.random): Signal {
  let spike = 0;
  return () => {
    if (random() < spikeChance) spike = 10 + random() * 30;
    const value = medianMs * Math.exp(gaussian(random) * 0.25) * (1 + spike);
    spike *= 0.6;
    return value;
  };
}
