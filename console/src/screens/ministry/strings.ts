/** The ministry screens' words in kk, ru and en. */
import type { Strings } from '../../contract';

export const ministryStrings: Strings<
  | 'fee'
  | 'payerBin'
  | 'payerName'
  | 'payerEmail'
  | 'mailLanguage'
  | 'reference'
  | 'expiresIn'
  | 'issue'
  | 'binOk'
  | 'binBad'
  | 'licence'
  | 'notRegistered'
  | 'issued'
  | 'payLink'
  | 'qrOf'
  | 'open'
  | 'invoice'
  | 'payer'
  | 'amount'
  | 'created'
  | 'due'
  | 'paid'
  | 'pending'
  | 'overpaid'
  | 'expires'
  | 'exception'
  | 'cancel'
  | 'cancelConfirm'
  | 'transfers'
  | 'receipt'
  | 'sweeps'
  | 'refunds'
  | 'chain'
  | 'tx'
  | 'state'
  | 'receiptNo'
  | 'receiptPage'
  | 'signer'
  | 'hash'
  | 'delivery'
  | 'issuedAt'
  | 'requestRefund'
  | 'to'
  | 'approve'
  | 'reject'
  | 'requestedBy'
  | 'source'
  | 'feeCode'
  | 'deposit'
> = {
  kk: {
    fee: 'Алым',
    payerBin: 'Төлеушінің БСН/ЖСН',
    payerName: 'Төлеушінің атауы',
    payerEmail: 'Төлеушінің эл. поштасы (міндетті емес)',
    mailLanguage: 'Хат тілі',
    reference: 'Өз анықтамаңыз (міндетті емес)',
    expiresIn: 'Төлем мерзімі, минут',
    issue: 'Шот шығару',
    binOk: 'БСН бақылау саны дұрыс.',
    binBad: 'БСН 12 цифрдан тұруы және бақылау саны дұрыс болуы тиіс.',
    licence: 'Лицензия тізілімі',
    notRegistered: 'Тізілімде жоқ',
    issued: 'Шот шығарылды',
    payLink: 'Төлем сілтемесі',
    qrOf: 'Төлем сілтемесінің QR коды',
    open: 'Ашу',
    invoice: 'Шот',
    payer: 'Төлеуші',
    amount: 'Сомасы',
    created: 'Құрылды',
    due: 'Төленуі тиіс',
    paid: 'Төленді',
    pending: 'Күтуде',
    overpaid: 'Артық төленді',
    expires: 'Мерзімі',
    exception: 'Ерекшелік',
    cancel: 'Шотты жою',
    cancelConfirm: 'Шотты шынымен жою керек пе?',
    transfers: 'Аударымдар',
    receipt: 'Түбіртек',
    sweeps: 'Кастодиға аудару',
    refunds: 'Қайтарулар',
    chain: 'Желі',
    tx: 'Транзакция',
    state: 'Күйі',
    receiptNo: 'Түбіртек №',
    receiptPage: 'Түбіртек беті',
    signer: 'Қол қоюшы',
    hash: 'Хэш',
    delivery: 'Тізілімге жеткізу',
    issuedAt: 'Берілді',
    requestRefund: 'Артық төлемді қайтаруды сұрау',
    to: 'Алушы мекенжайы (міндетті емес)',
    approve: 'Мақұлдау',
    reject: 'Қабылдамау',
    requestedBy: 'Сұраған',
    source: 'Көзі',
    feeCode: 'Алым коды',
    deposit: 'Депозит мекенжайы',
  },
  ru: {
    fee: 'Сбор',
    payerBin: 'БИН/ИИН плательщика',
    payerName: 'Наименование плательщика',
    payerEmail: 'Эл. почта плательщика (необязательно)',
    mailLanguage: 'Язык письма',
    reference: 'Ваша ссылка (необязательно)',
    expiresIn: 'Срок оплаты, минут',
    issue: 'Выставить счёт',
    binOk: 'Контрольная цифра БИН верна.',
    binBad: 'БИН: 12 цифр с верной контрольной цифрой.',
    licence: 'Реестр лицензий',
    notRegistered: 'Нет в реестре',
    issued: 'Счёт выставлен',
    payLink: 'Ссылка на оплату',
    qrOf: 'QR-код ссылки на оплату',
    open: 'Открыть',
    invoice: 'Счёт',
    payer: 'Плательщик',
    amount: 'Сумма',
    created: 'Создан',
    due: 'К оплате',
    paid: 'Оплачено',
    pending: 'В ожидании',
    overpaid: 'Переплата',
    expires: 'Срок',
    exception: 'Исключение',
    cancel: 'Отменить счёт',
    cancelConfirm: 'Отменить этот счёт?',
    transfers: 'Переводы',
    receipt: 'Квитанция',
    sweeps: 'Переводы в кастоди',
    refunds: 'Возвраты',
    chain: 'Сеть',
    tx: 'Транзакция',
    state: 'Состояние',
    receiptNo: 'Квитанция №',
    receiptPage: 'Страница квитанции',
    signer: 'Подписант',
    hash: 'Хэш',
    delivery: 'Доставка в реестр',
    issuedAt: 'Выдана',
    requestRefund: 'Запросить возврат переплаты',
    to: 'Адрес получателя (необязательно)',
    approve: 'Одобрить',
    reject: 'Отклонить',
    requestedBy: 'Запросил',
    source: 'Источник',
    feeCode: 'Код сбора',
    deposit: 'Адрес депозита',
  },
  en: {
    fee: 'Fee',
    payerBin: 'Payer BIN/IIN',
    payerName: 'Payer name',
    payerEmail: 'Payer email (optional)',
    mailLanguage: 'Mail language',
    reference: 'Your reference (optional)',
    expiresIn: 'Time to pay, minutes',
    issue: 'Issue invoice',
    binOk: 'The BIN check digit is right.',
    binBad: 'A BIN is 12 digits with a valid check digit.',
    licence: 'Licence register',
    notRegistered: 'Not in the register',
    issued: 'Invoice issued',
    payLink: 'Pay link',
    qrOf: 'QR code of the pay link',
    open: 'Open',
    invoice: 'Invoice',
    payer: 'Payer',
    amount: 'Amount',
    created: 'Created',
    due: 'Due',
    paid: 'Paid',
    pending: 'Pending',
    overpaid: 'Overpaid',
    expires: 'Expires',
    exception: 'Exception',
    cancel: 'Cancel invoice',
    cancelConfirm: 'Cancel this invoice?',
    transfers: 'Transfers',
    receipt: 'Receipt',
    sweeps: 'Sweeps to custody',
    refunds: 'Refunds',
    chain: 'Chain',
    tx: 'Transaction',
    state: 'State',
    receiptNo: 'Receipt no.',
    receiptPage: 'Receipt page',
    signer: 'Signer',
    hash: 'Hash',
    delivery: 'Registry delivery',
    issuedAt: 'Issued',
    requestRefund: 'Request a refund of the overpayment',
    to: 'Recipient address (optional)',
    approve: 'Approve',
    reject: 'Reject',
    requestedBy: 'Requested by',
    source: 'Source',
    feeCode: 'Fee code',
    deposit: 'Deposit address',
  },
};
