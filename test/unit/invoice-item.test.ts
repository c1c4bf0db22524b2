/** The stored form of an invoice keeps its deposit scheme; items written before the scheme existed read as `xpub`. */
import { describe, expect, it } from 'vitest';
import { invoiceFromItem, invoiceToItem } from '../../shared/adapters/dynamo/invoices';
import { anInvoice } from '../support/invoices';

describe('invoice item', () => {
  it('round-trips a forwarder invoice, which has no deposit index', () => {
    const { depositIndex: _, ...invoice } = anInvoice({ depositScheme: 'forwarder' });
    const item = invoiceToItem(invoice);
    expect(item).toMatchObject({ depositScheme: 'forwarder' });
    expect(item).not.toHaveProperty('depositIndex');
    expect(invoiceFromItem(item)).toEqual(invoice);
  });

  it('reads an item written before deposit schemes as the xpub scheme, with its index', () => {
    const { depositScheme: _, ...old } = invoiceToItem(anInvoice({ depositIndex: 7 }));
    expect(invoiceFromItem(old)).toMatchObject({ depositScheme: 'xpub', depositIndex: 7 });
  });
});
