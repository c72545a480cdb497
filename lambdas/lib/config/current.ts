/** The running process's settings, read from the environment once (at first use, not import). */
import { logger } from '../logging.ts';
import { coreSettingsFromEnv, settingsFromEnv, type CoreSettings, type Settings } from './settings.ts';

let current: Settings | undefined;
let core: CoreSettings | undefined;

/** Every setting, the archive prefix and the lease's default included (their warnings logged once). */
export function currentSettings(): Settings {
  if (!current) {
    current = settingsFromEnv(process.env);
    // Once per cold start: a setting that was given but ignored must not go unnoticed.
    for (const warning of current.warnings) logger.warn(warning);
  }
  return current;
}

/**
 * The settings every function reads (settings.ts `CoreSettings`): wiring that needs no more uses
 * these, so a function that reads neither the archive prefix nor the lease's default bundles
 * neither (nor warns about them: the functions that read them do, and the health route lists them).
 */
export function currentCoreSettings(): CoreSettings {
  core ??= coreSettingsFromEnv(process.env);
  return core;
}
