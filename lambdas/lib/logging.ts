/**
 * The service's structured logger (AWS Lambda Powertools). One instance per process; handlers add
 * the request context through the middleware in `http/`.
 * `POWERTOOLS_LOG_LEVEL` sets the level (the local server's `--verbose` sets DEBUG).
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'daylily-workset-api' });
