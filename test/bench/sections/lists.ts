/**
 * Filtered lists: what one page of a rare status costs. 2,000 invoices of one ministry (20 of them paid, spread
 * evenly, the rest open) are written as the issue path stores them (`invoiceToItem`, every index key) into a small
 * table on moto; then the first page of `status=paid` (limit 20, as a ministry and as an auditor) and of
 * `status=expired` is read through `listInvoices`. Counted, never timed: the Query requests each page sends (SDK
 * middleware on the handlers' client), and the items they read.
 */
import { startEmulator } from '../../../infra/local/moto';
import { provision } from '../../../infra/local/provision';
import { intEnv, onInterrupt, pointAwsAt, progress, runSection } from '../lib/section';

const log = (m: string) => progress('lists', m);

runSection('lists', async () => {
  const total = intEnv('BENCH_LISTS_INVOICES', 2_000);
  const paid = intEnv('BENCH_LISTS_PAID', 20);
  const aws = await startEmulator();
  onInterrupt(() => aws.stop());
  try {
    pointAwsAt(aws.endpoint);
    Object.assign(process.env, (await provision(aws.endpoint)).env);
    // shared/adapters/aws/dynamodb reads AWS_ENDPOINT_URL at load: import it only now.
    const { ddb, dynamodb } = await import('../../../shared/adapters/aws/dynamodb');
    const { BatchWriteCommand } = await import('@aws-sdk/lib-dynamodb');
    const { tableName } = await import('../../../shared/adapters/config');
    const { invoiceToItem, listInvoices } = await import('../../../shared/adapters/dynamo/invoices');
    const { anInvoice } = await import('../../support/invoices');
    type Invoice = import('../../../shared/domain/invoices').Invoice;

    const now = new Date();
    const every = Math.floor(total / paid);
    // Oldest first, an hour apart, ending an hour ago: the list spans about three months.
    const invoices: Invoice[] = Array.from({ length: total }, (_, i) => {
      const createdAt = new Date(now.getTime() - (total - i) * 3_600_000).toISOString();
      const isPaid = i % every === every - 1;
      return anInvoice({
        feeCode: 'AFSA-APP-AI',
        fee: { currency: 'USD', minor: 100n },
        dueMicroUsd: 1_000_000n,
        paidMicroUsd: isPaid ? 1_000_000n : 0n,
        status: isPaid ? 'paid' : 'open',
        depositIndex: i,
        createdAt,
        expiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
        ...(isPaid ? { paidAt: createdAt, receiptId: `rcp_bench${i}` } : {}),
      });
    });
    for (let i = 0; i < invoices.length; i += 25) {
      const slice = invoices.slice(i, i + 25);
      await ddb.send(
        new BatchWriteCommand({
          RequestItems: { [tableName()]: slice.map((invoice) => ({ PutRequest: { Item: invoiceToItem(invoice) } })) },
        }),
      );
    }
    log(`${total} invoices written, ${invoices.filter((i) => i.status === 'paid').length} paid`);

    let queries = 0;
    let itemsRead = 0;
    dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'QueryCommand') {
          queries++;
          itemsRead += Number((result.output as { ScannedCount?: number }).ScannedCount ?? 0);
        }
        return result;
      },
      { step: 'initialize', name: 'benchQueryCount' },
    );
    const page = async (query: Parameters<typeof listInvoices>[0]) => {
      queries = 0;
      itemsRead = 0;
      const result = await listInvoices(query, now);
      return { items: result.items.length, queries, itemsRead, more: result.nextCursor !== null };
    };
    const ministryPaid = await page({ ministry: 'AFSA', status: 'paid', limit: 20 });
    const auditorPaid = await page({ status: 'paid', limit: 20 });
    const ministryExpired = await page({ ministry: 'AFSA', status: 'expired', limit: 20 });
    const ministryAll = await page({ ministry: 'AFSA', limit: 20 });
    log(`paid page: ${ministryPaid.queries} Queries, ${ministryPaid.items} items`);
    return {
      invoices: total,
      paid,
      limit: 20,
      queriesPerFilteredPage: ministryPaid.queries,
      pages: { ministryPaid, auditorPaid, ministryExpired, ministryAll },
    };
  } finally {
    await aws.stop();
  }
});
