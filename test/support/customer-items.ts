/**
 * Customers as the tests seed them: straight into a customers table, with settings roomy enough
 * for every workset a test makes. No vitest import: `npm run fuzz` seeds with it too.
 */
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface CustomerItem {
  readonly customer_id: string;
  readonly customer_name: string;
  readonly email: string;
  readonly [attribute: string]: unknown;
}

/** LocalAws.seedCustomer on any customers table (the fuzz run's own stack has one too). */
export async function seedCustomerItem(
  ddb: DynamoDBDocumentClient,
  table: string,
  customerId: string,
  attributes: Record<string, unknown> = {},
  options: { readonly onlyIfMissing?: boolean } = {},
): Promise<CustomerItem> {
  const at = new Date().toISOString();
  const item: CustomerItem = {
    customer_id: customerId,
    customer_name: `Customer ${customerId}`,
    email: `${customerId}@example.com`,
    ...ROOMY_SETTINGS,
    created_at: at,
    updated_at: at,
    // The directory index's attribute, as the adapter writes it.
    directory: 'customers',
    ...attributes,
  };
  try {
    await ddb.send(new PutCommand({ TableName: table, Item: item, ...(options.onlyIfMissing ? { ConditionExpression: 'attribute_not_exists(customer_id)' } : {}) }));
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  }
  return item;
}

/**
 * What a seeded customer may do unless a test says otherwise: room for every workset a test file
 * makes, and the data locations the tests' requests (and the sample events) name. The quota and
 * data-location tests set their own.
 */
export const ROOMY_SETTINGS = {
  max_active_worksets: 1_000,
  max_samples_per_workset: 20_000,
  data_locations: ['s3://lab-data/', 's3://d/', 's3://lab-results/', 's3://customer-data-bucket/', 's3://acme-genomics-data/'],
  billing_tags: {},
  suspended: false,
  machine_clients: [],
  version: 1,
} as const;
