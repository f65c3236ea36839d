import { ConfigurableModuleBuilder } from '@nestjs/common';

export interface DeliveryModuleOptions {
  /** Reconnection delay SSE clients are told (`retry:`), in ms. */
  sseRetryMs: number;
  /** Longest `timeoutMs` a poll may ask for. */
  maxPollTimeoutMs: number;
}

export const { ConfigurableModuleClass: DeliveryConfigurableModule, MODULE_OPTIONS_TOKEN: DELIVERY_OPTIONS } =
  new ConfigurableModuleBuilder<DeliveryModuleOptions>().setClassMethodName('forRoot').build();
