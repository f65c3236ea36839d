import { ConfigurableModuleBuilder } from '@nestjs/common';

export interface DemoModuleOptions {
  /** Points per second per demo feed. */
  rate: number;
}

export const { ConfigurableModuleClass: DemoConfigurableModule, MODULE_OPTIONS_TOKEN: DEMO_OPTIONS } =
  new ConfigurableModuleBuilder<DemoModuleOptions>().setClassMethodName('forRoot').build();
