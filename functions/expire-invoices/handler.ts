/**
 * Schedule: moves invoices past their expiry to `expired` (`underpaid` when part was paid). Each move is a
 * conditional write, so a repeated or overlapping run changes nothing twice.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '../../shared/observability';
import { expireInvoice, findDueForExpiry } from '../../shared/store/invoices';

export const handler = middy(async () => {
  const now = new Date();
  let expired = 0;
  for (;;) {
    const due = await findDueForExpiry(now);
    if (!due.length) break;
    let changed = 0;
    for (const invoice of due) if (await expireInvoice(invoice, now)) changed++;
    expired += changed;
    if (changed === 0) break;
  }
  if (expired) logger.info('invoices expired', { expired });
  return { expired };
}).use(injectLambdaContext(logger, { resetKeys: true }));
