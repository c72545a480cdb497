/** Reading the parts of an API Gateway v2 request a handler needs, with clear 4xx problems. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { InvalidInputError } from '../errors.ts';
import { HttpProblem } from './http-errors.ts';

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** The parsed JSON body; 415 for another media type, 400 for malformed JSON or a non-object. */
export function jsonObjectBody(event: APIGatewayProxyEventV2): Record<string, unknown> {
  const contentType = event.headers?.['content-type'] ?? '';
  if (!JSON_MEDIA_TYPE.test(contentType)) {
    throw new HttpProblem(415, 'Unsupported Media Type', 'The request body must be JSON, sent with Content-Type: application/json.');
  }
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidInputError('The request body is not valid JSON.', [{ field: '(body)', message: 'is not valid JSON' }]);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidInputError('The request body must be a JSON object.', [{ field: '(body)', message: 'must be a JSON object' }]);
  }
  return parsed as Record<string, unknown>;
}

export function pathParameter(event: APIGatewayProxyEventV2, name: string): string {
  const value = event.pathParameters?.[name];
  if (value === undefined) throw new InvalidInputError(`The path parameter ${name} is missing.`, [{ field: name, message: 'is required' }]);
  return value;
}

export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  return event.headers?.[name.toLowerCase()];
}
