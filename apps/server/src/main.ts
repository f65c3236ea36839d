import 'reflect-metadata';
import { createApp } from './bootstrap.js';
import { authEnabled, ConfigError, loadConfig } from './config/config.js';

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`pulseboard: ${error.message}\n`);
  process.exit(1);
}

const { app, logger } = await createApp(config);
const timeoutMs = config.server.shutdownTimeoutMs;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutting down: ending streams and refusing ingest');
    // whatever still hangs after the timeout, the process goes
    setTimeout(() => {
      logger.error(`shutdown took longer than ${timeoutMs} ms; exiting`);
      process.exit(1);
    }, timeoutMs).unref();
    app
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  });
}

await app.listen(config.server.port, config.server.host);
const address = app.getHttpServer().address();
const port = typeof address === 'object' && address !== null ? address.port : config.server.port;
logger.info({ host: config.server.host, port }, `Pulseboard listening on http://${config.server.host}:${port}`);
if (!authEnabled(config)) {
  logger.warn(
    config.server.allowOpen
      ? `OPEN MODE on ${config.server.host}: no AUTH_SECRET or JWKS_URL, and ALLOW_OPEN=1 — anyone who reaches this address may read and write every feed`
      : `OPEN MODE: no AUTH_SECRET or JWKS_URL, so every API and stream is open; the server listens on ${config.server.host} only`,
  );
}
