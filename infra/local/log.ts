/** The local server's logger: the handlers' format, tagged `component: local-server`. */
import { logger } from '../../lambdas/lib/logging.ts';

export const localLogger = logger.child({ component: 'local-server' });
