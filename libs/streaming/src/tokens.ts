/** Injection token of the `Log` the server appends to (the embedded log unless replaced). */
export const LOG = Symbol('pulseboard:log');
