/** Schedule: the expiry sweep (shared/app/expire-invoices.ts) over the table, unwatching through the queue. */

import { dynamoInvoiceStore } from '../../shared/adapters/dynamo/invoices';
import { lambdaHandler } from '../../shared/adapters/lambda';
import { addressWatchQueue } from '../../shared/adapters/work-queues';
import { expireInvoices } from '../../shared/app/expire-invoices';

export const handler = lambdaHandler(() =>
  expireInvoices({ invoices: dynamoInvoiceStore, addressWatch: addressWatchQueue, now: () => new Date() }),
);
