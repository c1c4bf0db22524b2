/** The receipt page's own strings in kk, ru and en (the frame, the fee and payer labels come from i18n.ts). */
import type { PayLanguage } from './view';

export interface ReceiptStrings {
  /** `{no}`: the receipt number. */
  title: string;
  receiptNo: string;
  paid: string;
  fee: string;
  overpaid: string;
  paidAt: string;
  issuedAt: string;
  paymentsHeading: string;
  network: string;
  amount: string;
  usd: string;
  transaction: string;
  verifyHeading: string;
  verifyText: string;
  signer: string;
  hash: string;
  /** The reference-data version of the fee the invoice was priced with (small print, beside the signature). */
  feeVersion: string;
  /** The same for the MRP, for a fee in MRP. */
  mrpVersion: string;
  downloadJson: string;
  verifyCommand: string;
  qrLabel: string;
  qrHint: string;
  backToInvoice: string;
  notReadyTitle: string;
  notReadyText: string;
}

const en: ReceiptStrings = {
  title: 'Receipt No. {no}',
  receiptNo: 'Receipt number',
  paid: 'Paid',
  fee: 'Fee',
  overpaid: 'Overpaid',
  paidAt: 'Paid at',
  issuedAt: 'Receipt issued at',
  paymentsHeading: 'Payments',
  network: 'Network',
  amount: 'Amount',
  usd: 'Value',
  transaction: 'Transaction',
  verifyHeading: 'Check this receipt yourself',
  verifyText:
    'The service signed this receipt (EIP-712). Anyone can check it without trusting this page: download the signed receipt and verify its signature against the signer address the service publishes.',
  signer: 'Signer address',
  hash: 'Receipt hash',
  feeVersion: 'Fee version',
  mrpVersion: 'MRP version',
  downloadJson: 'Download the signed receipt (JSON)',
  verifyCommand: 'To verify it on your computer:',
  qrLabel: 'QR code of the link to the signed receipt',
  qrHint: 'Scan to open the signed receipt.',
  backToInvoice: 'Back to the invoice',
  notReadyTitle: 'The receipt is not ready yet',
  notReadyText: 'A receipt is issued once the invoice is paid and the payments are confirmed. Check again shortly.',
};

const ru: ReceiptStrings = {
  title: 'Квитанция № {no}',
  receiptNo: 'Номер квитанции',
  paid: 'Оплачено',
  fee: 'Платёж',
  overpaid: 'Переплата',
  paidAt: 'Дата оплаты',
  issuedAt: 'Квитанция выдана',
  paymentsHeading: 'Платежи',
  network: 'Сеть',
  amount: 'Сумма',
  usd: 'Стоимость',
  transaction: 'Транзакция',
  verifyHeading: 'Проверьте квитанцию сами',
  verifyText:
    'Сервис подписал эту квитанцию (EIP-712). Её можно проверить, не доверяя этой странице: скачайте подписанную квитанцию и проверьте подпись по адресу подписанта, который публикует сервис.',
  signer: 'Адрес подписанта',
  hash: 'Хеш квитанции',
  feeVersion: 'Версия тарифа',
  mrpVersion: 'Версия МРП',
  downloadJson: 'Скачать подписанную квитанцию (JSON)',
  verifyCommand: 'Проверка на вашем компьютере:',
  qrLabel: 'QR-код ссылки на подписанную квитанцию',
  qrHint: 'Отсканируйте, чтобы открыть подписанную квитанцию.',
  backToInvoice: 'Вернуться к счёту',
  notReadyTitle: 'Квитанция ещё не готова',
  notReadyText: 'Квитанция выдаётся после оплаты счёта и подтверждения платежей. Загляните чуть позже.',
};

const kk: ReceiptStrings = {
  title: '№ {no} түбіртек',
  receiptNo: 'Түбіртек нөмірі',
  paid: 'Төленді',
  fee: 'Төлем',
  overpaid: 'Артық төленді',
  paidAt: 'Төлеген уақыты',
  issuedAt: 'Түбіртек берілген уақыт',
  paymentsHeading: 'Төлемдер',
  network: 'Желі',
  amount: 'Сома',
  usd: 'Құны',
  transaction: 'Транзакция',
  verifyHeading: 'Түбіртекті өзіңіз тексеріңіз',
  verifyText:
    'Сервис бұл түбіртекке қол қойды (EIP-712). Оны осы бетке сенбей-ақ тексеруге болады: қол қойылған түбіртекті жүктеп алып, қолтаңбасын сервис жариялайтын қол қоюшы мекенжайы бойынша тексеріңіз.',
  signer: 'Қол қоюшының мекенжайы',
  hash: 'Түбіртек хеші',
  feeVersion: 'Тариф нұсқасы',
  mrpVersion: 'АЕК нұсқасы',
  downloadJson: 'Қол қойылған түбіртекті жүктеп алу (JSON)',
  verifyCommand: 'Компьютеріңізде тексеру:',
  qrLabel: 'Қол қойылған түбіртек сілтемесінің QR коды',
  qrHint: 'Қол қойылған түбіртекті ашу үшін сканерлеңіз.',
  backToInvoice: 'Шотқа оралу',
  notReadyTitle: 'Түбіртек әлі дайын емес',
  notReadyText: 'Түбіртек шот төленіп, төлемдер расталғаннан кейін беріледі. Біраздан соң қайта қараңыз.',
};

/** The receipt page's strings per language. */
export const RECEIPT_STRINGS: Record<PayLanguage, ReceiptStrings> = { kk, ru, en };
