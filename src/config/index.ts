/**
 * Configuration: `config.yaml` validated by one zod schema, environment overrides, start-up checks of local paths.
 *
 * May import: src/core.
 */
export { configSchema, loadConfig, type Config } from './config.ts';
