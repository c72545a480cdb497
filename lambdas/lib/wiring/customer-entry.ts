/**
 * A customer route's handler: `httpEntry` with the authorization of customer routes, given the
 * machine-client lookup it needs (the HTTP layer reaches no store itself).
 *
 *   export const handler = customerEntry(CustomerActionContract, async ({ path, body, principal }) => …);
 */
import { currentCoreSettings } from '../config/current.ts';
import { customerAuthorization } from '../http/customer-authorization.ts';
import { httpEntry, type EntryRun, type HttpEntryHandler } from '../http/http-entry.ts';
import type { RequestContract } from '../schemas/contract.ts';
import { machineClients } from './customer-deps.ts';

export function customerEntry<C extends RequestContract>(contract: C, run: EntryRun<C>): HttpEntryHandler<C> {
  return httpEntry(
    contract,
    run,
    customerAuthorization({ required: () => currentCoreSettings().auth.required, clientCustomer: (clientId) => machineClients().customerOfClient(clientId) }),
  );
}
