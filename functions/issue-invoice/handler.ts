/** POST /v1/invoices — a ministry issues a fee invoice (see shared/app/issue-invoice.ts). */

import { IDEMPOTENCY_KEY_PATTERN, issueInvoiceBody } from '../../shared/adapters/api/requests';
import { enabledChains } from '../../shared/adapters/chain/enabled-chains';
import { serviceNow } from '../../shared/adapters/clock';
import { depositXpub, publicBaseUrl } from '../../shared/adapters/config';
import { dynamoInvoiceStore } from '../../shared/adapters/dynamo/invoices';
import { dynamoLicenceRegister } from '../../shared/adapters/dynamo/licence-register';
import { dynamoRateStore } from '../../shared/adapters/dynamo/rates';
import { dynamoReferenceData } from '../../shared/adapters/dynamo/reference-data';
import { httpRoute } from '../../shared/adapters/http';
import { countMetric } from '../../shared/adapters/metrics';
import { addressWatchQueue, payerMailQueue } from '../../shared/adapters/work-queues';
import { issueInvoice } from '../../shared/app/issue-invoice';
import { ValidationError } from '../../shared/domain/errors';
import { invoiceToWire } from '../../shared/domain/invoices';

const notifyPayer = payerMailQueue();

export const handler = httpRoute({ auth: ['ministry'], body: issueInvoiceBody }, async (req) => {
  const key = req.headers['idempotency-key'];
  if (key !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw new ValidationError([{ field: 'Idempotency-Key', message: 'use 1-128 letters, digits or _ . : -' }]);
  }
  const ministry = req.caller.ministry;
  const outcome = await issueInvoice(ministry, req.body, key, {
    reference: dynamoReferenceData,
    chains: enabledChains,
    accountXpub: depositXpub(),
    now: serviceNow,
    invoices: dynamoInvoiceStore,
    rates: dynamoRateStore,
    addressWatch: addressWatchQueue,
    notifyPayer,
    register: dynamoLicenceRegister,
  });
  if (outcome.created) countMetric('InvoicesIssued');
  const wire = invoiceToWire(outcome.invoice, serviceNow(), publicBaseUrl());
  return {
    status: 201,
    body: wire,
    headers: {
      location: `/v1/invoices/${wire.id}`,
      ...(outcome.created ? {} : { 'idempotent-replayed': 'true' }),
    },
  };
});
