/** The running process's settings, read from the environment once (at first use, not import). */
import { logger } from '../logging.ts';
import { settingsFromEnv, type Settings } from './settings.ts';

let current: Settings | undefined;

export function currentSettings(): Settings {
  if (!current) {
    current = settingsFromEnv(process.env);
    // Once per cold start: a setting that was given but ignored must not go unnoticed.
    for (const warning of current.warnings) logger.warn(warning);
  }
  return current;
}
