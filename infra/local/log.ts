/**
 * The local server's own logger. Not the handlers' instance: their middleware stamps the Lambda
 * context of each invocation on it, which would then leak into the server's lines.
 * Same format and level variable (POWERTOOLS_LOG_LEVEL) as the handlers' logger.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const localLogger = new Logger({ serviceName: 'daylily-workset-api', persistentKeys: { component: 'local-server' } });
