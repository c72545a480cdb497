/**
 * What a customer's settings allow a registration besides its slot (flows/customer-quotas.ts): at
 * most `max_samples_per_workset` samples (422), and every S3 location of the request under one of
 * its `data_locations` (422 naming the field). Checked on the customer's settings as the function
 * holds them (cached for up to 30 s: wiring/customer-deps.ts), so a change reaches a warm function
 * within that time; the slot quota itself is counted exactly, in registration's first write.
 */
import { isUnderDataLocation, type CustomerRecord } from '../../domain/customer.ts';
import { NotAllowedInputError, type FieldError } from '../../errors.ts';
import type { RegistrationRequest } from './registration-request.ts';

const OUTSIDE = 'is outside data_locations';

/**
 * Every location the request names, checked against the customer's data locations. Relative
 * FASTQ names were resolved against s3_bucket/s3_prefix (checked as such); an absolute one must
 * be an s3:// URI under a data location: another scheme or a path on the cluster is not a
 * location the monitor may stage with its own credentials. A relative name without s3_bucket
 * names no location at all and stays as written.
 */
export function checkRegistrationLimits(customer: CustomerRecord, request: RegistrationRequest): void {
  const { samples } = request;
  const errors: FieldError[] = [];
  const check = (field: string, uri: string | null | undefined) => {
    if (uri && !isUnderDataLocation(uri, customer.data_locations)) errors.push({ field, message: OUTSIDE });
  };
  if (samples.length > customer.max_samples_per_workset) errors.push({ field: request.samples_field, message: `exceeds max_samples_per_workset (${customer.max_samples_per_workset})` });
  if (request.s3_bucket) check(request.s3_prefix ? 's3_prefix' : 's3_bucket', `s3://${request.s3_bucket}/${request.s3_prefix ?? ''}`);
  check('export_uri', request.export_uri);
  const { sample_lines: lines } = request;
  samples.forEach((sample, index) => {
    const at = lines ? `${request.samples_field}[line ${lines[index]}]` : `${request.samples_field}[${index}]`;
    for (const field of ['r1_file', 'r2_file'] as const) if (/^\/|:\/\//.test(sample[field])) check(`${at}.${field}`, sample[field]);
  });
  if (errors.length > 0) throw new NotAllowedInputError(`${errors[0]!.field} ${errors[0]!.message}.`, errors);
}
