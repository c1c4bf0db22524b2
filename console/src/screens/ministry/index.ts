/** The ministry's screens: issue, invoices and one invoice, receipts, refunds, its fee changes. */
import type { ScreenEntry } from '../../contract';
import { FeeChanges } from './fee-changes';
import { InvoiceDetailScreen } from './invoice-detail';
import { Invoices } from './invoices';
import { IssueInvoice } from './issue-invoice';
import { Receipts } from './receipts';
import { Refunds } from './refunds';

export const ministryScreens: ScreenEntry[] = [
  {
    path: 'issue',
    title: { kk: 'Шот шығару', ru: 'Выставить счёт', en: 'Issue an invoice' },
    roles: ['ministry'],
    nav: true,
    component: IssueInvoice,
  },
  {
    path: 'invoices',
    title: { kk: 'Шоттар', ru: 'Счета', en: 'Invoices' },
    // Auditors read every ministry's invoices (read-only: the detail shows them no action).
    roles: ['ministry', 'auditor'],
    nav: true,
    component: Invoices,
  },
  {
    path: 'invoices/:id',
    title: { kk: 'Шот', ru: 'Счёт', en: 'Invoice' },
    roles: ['ministry', 'auditor'],
    nav: false,
    component: InvoiceDetailScreen,
  },
  {
    path: 'receipts',
    title: { kk: 'Түбіртектер', ru: 'Квитанции', en: 'Receipts' },
    roles: ['ministry'],
    nav: true,
    component: Receipts,
  },
  {
    path: 'refunds',
    title: { kk: 'Қайтарулар', ru: 'Возвраты', en: 'Refunds' },
    roles: ['ministry', 'operator'],
    nav: true,
    component: Refunds,
  },
  {
    path: 'fee-changes',
    title: { kk: 'Алымдарды өзгерту', ru: 'Изменения сборов', en: 'Fee changes' },
    roles: ['ministry'],
    nav: true,
    component: FeeChanges,
  },
];
