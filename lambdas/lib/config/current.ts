/** The running process's settings, read from the environment once (at first use, not import). */
import { settingsFromEnv, type Settings } from './settings.ts';

let current: Settings | undefined;

export function currentSettings(): Settings {
  current ??= settingsFromEnv(process.env);
  return current;
}
