/**
 * The auditor's screens, as the shell lists them: exports (request, progress, one zip, verification in the
 * browser), receipts read-only, and a receipt's verification. Every call goes to the public API with the auditor's token.
 */
import type { ScreenEntry } from '../../contract';
import { ExportScreen } from './export-detail';
import { ExportsScreen } from './exports';
import { ReceiptsScreen, receiptListStrings } from './receipts';
import { strings } from './strings';
import { VerifyReceiptScreen } from './verify-receipt';

const titles = (key: 'exportsTitle' | 'receiptTitle') => ({
  kk: strings.kk[key],
  ru: strings.ru[key],
  en: strings.en[key],
});

export const auditorScreens: ScreenEntry[] = [
  { path: 'exports', title: titles('exportsTitle'), roles: ['auditor'], nav: true, component: ExportsScreen },
  { path: 'exports/:id', title: titles('exportsTitle'), roles: ['auditor'], nav: false, component: ExportScreen },
  {
    path: 'audit-receipts',
    title: { kk: receiptListStrings.kk.title, ru: receiptListStrings.ru.title, en: receiptListStrings.en.title },
    roles: ['auditor'],
    nav: true,
    component: ReceiptsScreen,
  },
  {
    path: 'verify-receipt',
    title: titles('receiptTitle'),
    roles: ['auditor', 'ministry'],
    nav: true,
    component: VerifyReceiptScreen,
  },
  {
    path: 'verify-receipt/:id',
    title: titles('receiptTitle'),
    roles: ['auditor', 'ministry'],
    nav: false,
    component: VerifyReceiptScreen,
  },
];
