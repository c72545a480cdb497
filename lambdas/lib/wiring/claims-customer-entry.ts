/**
 * A customer route whose function reads no table (the registration preview): the authorization of
 * customer routes from the token's claims alone. A user's token names its customer, an operator
 * acts for every customer; a machine client's customer is known only to the customers table, so
 * its token is refused here (403) unless its issuer names the customer in a claim.
 *
 *   export const handler = claimsCustomerEntry(PreviewWorksetContract, async ({ path, body }) => …);
 */
import { currentCoreSettings } from '../config/current.ts';
import { customerAuthorization } from '../http/customer-authorization.ts';
import { httpEntry, type EntryRun, type HttpEntryHandler } from '../http/http-entry.ts';
import type { RequestContract } from '../schemas/contract.ts';

export function claimsCustomerEntry<C extends RequestContract>(contract: C, run: EntryRun<C>): HttpEntryHandler<C> {
  return httpEntry(contract, run, customerAuthorization({ required: () => currentCoreSettings().auth.required }));
}
