export interface DemoModuleOptions {
  /** Points per second per demo feed. */
  rate: number;
}

/** The token under which the application provides `DemoModuleOptions`. */
export const DEMO_OPTIONS = Symbol('DEMO_OPTIONS');
