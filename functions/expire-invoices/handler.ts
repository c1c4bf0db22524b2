/**
 * Schedule: moves invoices past their expiry to `expired` (`underpaid` when part was paid). Each move is a
 * conditional write, so a repeated or overlapping run changes nothing twice. Invoices waiting on a pending payment
 * are read past, never waited behind.
 */

import { dueForExpiry, expireInvoice } from '../../shared/adapters/dynamo/invoices';
import { lambdaHandler } from '../../shared/adapters/lambda';
import { logger } from '../../shared/adapters/observability';
import { sendMessages } from '../../shared/adapters/queue';

export const handler = lambdaHandler(async () => {
  const now = new Date();
  let expired = 0;
  // Expired invoices leave the index as we go; the scan resumes after the last key read, so none is read twice.
  for await (const due of dueForExpiry(now)) {
    const expiredNow = [];
    for (const invoice of due) if (await expireInvoice(invoice, now)) expiredNow.push(invoice);
    if (expiredNow.length) {
      // Providers stop reporting; the scanner keeps watching through the late-payment window.
      await sendMessages(
        'addressWatch',
        expiredNow.map((i) => ({ action: 'unwatch', addresses: [i.depositAddress], invoiceId: i.id })),
      ).catch((error: unknown) => logger.warn('address unwatch request failed', { error: (error as Error).message }));
    }
    expired += expiredNow.length;
  }
  if (expired) logger.info('invoices expired', { expired });
  return { expired };
});
