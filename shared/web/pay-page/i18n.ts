/**
 * Every string of the payment page in Kazakh (Cyrillic), Russian and English. Placeholders are `{name}` and are
 * filled by {@link fill} on the server and by the same rule in the page script, so both render identical text.
 */
import type { PayLanguage } from './view';

export interface PayStrings {
  htmlTitle: string;
  brand: string;
  skipToPay: string;
  languageNav: string;
  invoiceHeading: string;
  issuedBy: string;
  invoiceNo: string;
  reference: string;
  payer: string;
  bin: string;
  /** The payer's licence number (the licensed-firm register's), where it has one. */
  licenceNo: string;
  feeAmount: string;
  amountDue: string;
  amountDueUsd: string;
  exchangeRate: string;
  rateText: string;
  mrpUnit: string;
  mrpText: string;
  budgetHeading: string;
  kbk: string;
  knp: string;
  kbe: string;
  beneficiaryBin: string;
  payBy: string;
  timezone: string;
  timeLeft: string;
  timeOver: string;
  units: { d: string; h: string; min: string; s: string };
  statusHeading: string;
  badge: { open: string; processing: string; paid: string; expired: string; cancelled: string };
  statusText: { open: string; processing: string; paid: string; expired: string; cancelled: string };
  amountsLine: string;
  /** The rest in tenge at the invoice's locked rate (KZT and MRP fees): `{kzt}` formatted tiyn. */
  remainingKzt: string;
  receiptLink: string;
  receiptPending: string;
  exception: { overpaid: string; underpaid: string; late: string };
  statusUnavailable: string;
  /** Processing with nothing in flight: a part is confirmed, the rest is still to pay. */
  partPaid: string;
  /** Payments in flight cover what is due: nothing more to send. */
  coveredInFlight: string;
  /** Expired with a part paid, inside the late window: `{remaining}` USD, `{until}` a date-time. */
  latePayable: string;
  /** The wallet's transaction, kept on screen when the payment options are refreshed. */
  sentHeading: string;
  howToPay: string;
  /** Legend of the phone's one-option-at-a-time chooser. */
  chooseOption: string;
  howIntro: string;
  warnNetwork: string;
  optionHeading: string;
  amount: string;
  depositAddress: string;
  network: string;
  chainId: string;
  tokenContract: string;
  copy: string;
  copyAmount: string;
  copyAddress: string;
  copied: string;
  copyFailed: string;
  qrLabel: string;
  qrHint: string;
  openLink: string;
  payWithWallet: string;
  noWallet: string;
  walletConnecting: string;
  walletSwitching: string;
  walletSending: string;
  txSent: string;
  viewExplorer: string;
  errRejected: string;
  errUnknownChain: string;
  errWrongChain: string;
  errPending: string;
  errNoAccount: string;
  errGeneric: string;
  noScript: string;
  notPayable: string;
  linkNotice: string;
  /** Before the issuer's name and website on every page. */
  contactIssuer: string;
  notFoundTitle: string;
  notFoundText: string;
}

export const LANGUAGE_NAMES: Record<PayLanguage, string> = { kk: 'Қазақша', ru: 'Русский', en: 'English' };

/** Names of the ministries in the sample catalog; any other code is shown as is. */
export const MINISTRY_NAMES: Record<string, Record<PayLanguage, string>> = {
  AFSA: {
    kk: '«Астана» халықаралық қаржы орталығының Қаржылық қызметтерді реттеу комитеті (AFSA)',
    ru: 'Комитет МФЦА по регулированию финансовых услуг (AFSA)',
    en: 'Astana Financial Services Authority (AFSA)',
  },
  MINFIN: {
    kk: 'Қазақстан Республикасының Қаржы министрлігі',
    ru: 'Министерство финансов Республики Казахстан',
    en: 'Ministry of Finance of the Republic of Kazakhstan',
  },
};

const en: PayStrings = {
  htmlTitle: 'Fee payment',
  brand: 'Government fee payment in stablecoins',
  skipToPay: 'Skip to payment',
  languageNav: 'Language',
  invoiceHeading: 'Invoice',
  issuedBy: 'Issued by',
  invoiceNo: 'Invoice number',
  reference: 'Reference',
  payer: 'Payer',
  bin: 'BIN',
  licenceNo: 'Licence number',
  feeAmount: 'Fee amount',
  amountDue: 'Amount due',
  amountDueUsd: 'Amount due in US dollars',
  exchangeRate: 'Exchange rate',
  rateText: '1 USD = {rate} KZT, National Bank of Kazakhstan rate of {date}, locked for this invoice',
  mrpUnit: 'MRP',
  mrpText: '{count} MRP × {mrpKzt} KZT',
  budgetHeading: 'Budget payment details',
  kbk: 'KBK (budget classification code)',
  knp: 'KNP (payment purpose code)',
  kbe: 'KBe (beneficiary code)',
  beneficiaryBin: 'Beneficiary BIN',
  payBy: 'Pay by',
  timezone: 'Astana time, UTC+5',
  timeLeft: '{time} left',
  timeOver: 'The time to pay is over',
  units: { d: 'd', h: 'h', min: 'min', s: 's' },
  statusHeading: 'Payment status',
  badge: {
    open: 'Awaiting payment',
    processing: 'Payment in progress',
    paid: 'Paid',
    expired: 'Expired',
    cancelled: 'Cancelled',
  },
  statusText: {
    open: 'No payment has been seen yet. This page updates by itself.',
    processing: 'A payment has been seen on the blockchain and is waiting for confirmations.',
    paid: 'The invoice is paid. Thank you.',
    expired: 'The invoice has expired. Do not send any payment for it; ask the issuer for a new invoice.',
    cancelled: 'The issuer cancelled this invoice. Do not send any payment for it.',
  },
  amountsLine: 'Confirmed: USD {paid}. Awaiting confirmation: USD {pending}. Still to pay: USD {remaining}.',
  remainingKzt: 'Still to pay in tenge at the locked rate: KZT {kzt}.',
  receiptLink: 'Open the receipt',
  receiptPending: 'The receipt is being prepared; its link will appear here.',
  exception: {
    overpaid: 'Overpaid by USD {overpaid}. The issuer will contact you about the excess.',
    underpaid: 'Partly paid: USD {paid} of USD {due}. Contact the issuer.',
    late: 'Paid after the due time and accepted at the locked rate.',
  },
  statusUnavailable: 'The status cannot be refreshed right now; trying again.',
  partPaid: 'Part of the amount is confirmed. Pay the rest shown below.',
  coveredInFlight:
    'Payments on their way cover the amount due. Do not send more: this page updates when they are confirmed.',
  latePayable:
    'The time to pay is over, but the rest, USD {remaining}, is still accepted at the locked rate until {until} (Astana time).',
  sentHeading: 'Your payment',
  howToPay: 'How to pay',
  chooseOption: 'Pay with',
  howIntro:
    'Choose one option and send exactly the amount shown, in that token, on that network, to the deposit address, in one transfer. 1 token = 1 USD.',
  warnNetwork:
    'Check the network and the token contract before sending. Tokens sent on another network or in another token are not credited to this invoice.',
  optionHeading: '{symbol} on {chain}',
  amount: 'Amount',
  depositAddress: 'Deposit address',
  network: 'Network',
  chainId: 'chain ID {id}',
  tokenContract: 'Token contract',
  copy: 'Copy',
  copyAmount: 'Copy the amount',
  copyAddress: 'Copy the deposit address',
  copied: 'Copied',
  copyFailed: 'Could not copy; select the text and copy it by hand.',
  qrLabel: 'QR code: payment request for {amount} {symbol} on {chain}',
  qrHint: 'Scan with a wallet app',
  openLink: 'Open in a wallet app (EIP-681 link)',
  payWithWallet: 'Pay with wallet',
  noWallet: 'No browser wallet found. Scan the QR code, or copy the address and the amount into your wallet.',
  walletConnecting: 'Confirm the connection in your wallet…',
  walletSwitching: 'Switching your wallet to {chain}…',
  walletSending: 'Confirm the transfer of {amount} {symbol} in your wallet…',
  txSent: 'Transaction sent. Its hash:',
  viewExplorer: 'View in the block explorer',
  errRejected: 'You declined the request in your wallet.',
  errUnknownChain:
    'Your wallet does not know the network {chain} (chain ID {id}). Add it to your wallet and try again.',
  errWrongChain: 'Your wallet is still on another network. Switch it to {chain} (chain ID {id}) and try again.',
  errPending: 'Your wallet already has a request waiting. Open your wallet to answer it.',
  errNoAccount: 'The wallet did not share an address.',
  errGeneric: 'The wallet reported an error: {message}',
  noScript:
    'JavaScript is off, so the wallet button and the live status are not available. The details on this page are enough to pay; reload the page to see the status.',
  notPayable: 'Payment details are not shown because this invoice can no longer be paid.',
  linkNotice: 'This invoice link is personal: share it only with whoever pays the invoice.',
  contactIssuer: 'Questions about this invoice or a payment: contact the issuer,',
  notFoundTitle: 'Invoice not found',
  notFoundText: 'There is no invoice at this address. Check the link you received from the issuer.',
};

const ru: PayStrings = {
  htmlTitle: 'Оплата сбора',
  brand: 'Оплата государственных сборов в стейблкоинах',
  skipToPay: 'Перейти к оплате',
  languageNav: 'Язык',
  invoiceHeading: 'Счёт',
  issuedBy: 'Выставил',
  invoiceNo: 'Номер счёта',
  reference: 'Основание',
  payer: 'Плательщик',
  bin: 'БИН',
  licenceNo: 'Номер лицензии',
  feeAmount: 'Сумма сбора',
  amountDue: 'К оплате',
  amountDueUsd: 'К оплате в долларах США',
  exchangeRate: 'Курс',
  rateText: '1 USD = {rate} KZT, курс Национального банка Казахстана на {date}, зафиксирован для этого счёта',
  mrpUnit: 'МРП',
  mrpText: '{count} МРП × {mrpKzt} KZT',
  budgetHeading: 'Бюджетные реквизиты',
  kbk: 'КБК (код бюджетной классификации)',
  knp: 'КНП (код назначения платежа)',
  kbe: 'КБе (код бенефициара)',
  beneficiaryBin: 'БИН получателя',
  payBy: 'Оплатить до',
  timezone: 'время Астаны, UTC+5',
  timeLeft: 'осталось {time}',
  timeOver: 'Срок оплаты истёк',
  units: { d: 'д', h: 'ч', min: 'мин', s: 'с' },
  statusHeading: 'Статус оплаты',
  badge: {
    open: 'Ожидает оплаты',
    processing: 'Платёж обрабатывается',
    paid: 'Оплачен',
    expired: 'Срок истёк',
    cancelled: 'Отменён',
  },
  statusText: {
    open: 'Платёж пока не поступал. Страница обновляется сама.',
    processing: 'Платёж обнаружен в блокчейне и ожидает подтверждений.',
    paid: 'Счёт оплачен. Спасибо.',
    expired: 'Срок счёта истёк. Не отправляйте по нему оплату; запросите у получателя новый счёт.',
    cancelled: 'Получатель отменил этот счёт. Не отправляйте по нему оплату.',
  },
  amountsLine: 'Подтверждено: USD {paid}. Ожидает подтверждения: USD {pending}. Осталось оплатить: USD {remaining}.',
  remainingKzt: 'Остаток в тенге по зафиксированному курсу: KZT {kzt}.',
  receiptLink: 'Открыть квитанцию',
  receiptPending: 'Квитанция готовится; ссылка на неё появится здесь.',
  exception: {
    overpaid: 'Переплата USD {overpaid}. Получатель свяжется с вами по поводу излишка.',
    underpaid: 'Оплачено частично: USD {paid} из USD {due}. Свяжитесь с получателем.',
    late: 'Оплачено после срока и принято по зафиксированному курсу.',
  },
  statusUnavailable: 'Сейчас не удаётся обновить статус; повторяем попытку.',
  partPaid: 'Часть суммы подтверждена. Оплатите остаток, указанный ниже.',
  coveredInFlight:
    'Платежи в пути покрывают сумму к оплате. Больше ничего не отправляйте: страница обновится, когда их подтвердят.',
  latePayable:
    'Срок оплаты истёк, но остаток USD {remaining} ещё принимается по зафиксированному курсу до {until} (время Астаны).',
  sentHeading: 'Ваш платёж',
  howToPay: 'Как оплатить',
  chooseOption: 'Способ оплаты',
  howIntro:
    'Выберите один вариант и отправьте ровно указанную сумму в этом токене, в этой сети, на адрес для оплаты, одним переводом. 1 токен = 1 USD.',
  warnNetwork:
    'Перед отправкой проверьте сеть и контракт токена. Токены, отправленные в другой сети или другим токеном, не будут зачтены по этому счёту.',
  optionHeading: '{symbol} в сети {chain}',
  amount: 'Сумма',
  depositAddress: 'Адрес для оплаты',
  network: 'Сеть',
  chainId: 'chain ID {id}',
  tokenContract: 'Контракт токена',
  copy: 'Копировать',
  copyAmount: 'Копировать сумму',
  copyAddress: 'Копировать адрес для оплаты',
  copied: 'Скопировано',
  copyFailed: 'Не удалось скопировать; выделите текст и скопируйте вручную.',
  qrLabel: 'QR-код: запрос на оплату {amount} {symbol} в сети {chain}',
  qrHint: 'Отсканируйте приложением кошелька',
  openLink: 'Открыть в приложении кошелька (ссылка EIP-681)',
  payWithWallet: 'Оплатить кошельком',
  noWallet: 'Кошелёк в браузере не найден. Отсканируйте QR-код или скопируйте адрес и сумму в свой кошелёк.',
  walletConnecting: 'Подтвердите подключение в кошельке…',
  walletSwitching: 'Переключаем кошелёк на сеть {chain}…',
  walletSending: 'Подтвердите в кошельке перевод {amount} {symbol}…',
  txSent: 'Транзакция отправлена. Её хеш:',
  viewExplorer: 'Открыть в обозревателе блоков',
  errRejected: 'Вы отклонили запрос в кошельке.',
  errUnknownChain: 'Ваш кошелёк не знает сеть {chain} (chain ID {id}). Добавьте её в кошелёк и повторите.',
  errWrongChain: 'Кошелёк всё ещё в другой сети. Переключите его на {chain} (chain ID {id}) и повторите.',
  errPending: 'В кошельке уже ждёт запрос. Откройте кошелёк, чтобы ответить на него.',
  errNoAccount: 'Кошелёк не предоставил адрес.',
  errGeneric: 'Кошелёк сообщил об ошибке: {message}',
  noScript:
    'JavaScript отключён, поэтому кнопка кошелька и живой статус недоступны. Данных на странице достаточно для оплаты; чтобы увидеть статус, обновите страницу.',
  notPayable: 'Реквизиты для оплаты не показаны: этот счёт больше нельзя оплатить.',
  linkNotice: 'Ссылка на счёт персональная: передавайте её только тому, кто оплачивает счёт.',
  contactIssuer: 'Вопросы по счёту или платежу: обратитесь к получателю,',
  notFoundTitle: 'Счёт не найден',
  notFoundText: 'По этому адресу счёта нет. Проверьте ссылку, полученную от получателя платежа.',
};

const kk: PayStrings = {
  htmlTitle: 'Алымды төлеу',
  brand: 'Мемлекеттік алымдарды стейблкоинмен төлеу',
  skipToPay: 'Төлемге өту',
  languageNav: 'Тіл',
  invoiceHeading: 'Шот',
  issuedBy: 'Шотты берген',
  invoiceNo: 'Шот нөмірі',
  reference: 'Негіздеме',
  payer: 'Төлеуші',
  bin: 'БСН',
  licenceNo: 'Лицензия нөмірі',
  feeAmount: 'Алым сомасы',
  amountDue: 'Төлеуге',
  amountDueUsd: 'АҚШ долларымен төлеуге',
  exchangeRate: 'Бағам',
  rateText: '1 USD = {rate} KZT, Қазақстан Ұлттық Банкінің {date} күнгі бағамы, осы шот үшін бекітілген',
  mrpUnit: 'АЕК',
  mrpText: '{count} АЕК × {mrpKzt} KZT',
  budgetHeading: 'Бюджеттік деректемелер',
  kbk: 'БСК (бюджеттік сыныптама коды)',
  knp: 'ТМК (төлем мақсатының коды)',
  kbe: 'КБе (бенефициар коды)',
  beneficiaryBin: 'Алушының БСН',
  payBy: 'Төлеу мерзімі',
  timezone: 'Астана уақыты, UTC+5',
  timeLeft: '{time} қалды',
  timeOver: 'Төлеу мерзімі өтті',
  units: { d: 'күн', h: 'сағ', min: 'мин', s: 'сек' },
  statusHeading: 'Төлем мәртебесі',
  badge: {
    open: 'Төлем күтілуде',
    processing: 'Төлем өңделуде',
    paid: 'Төленді',
    expired: 'Мерзімі өтті',
    cancelled: 'Күші жойылды',
  },
  statusText: {
    open: 'Төлем әзірге түскен жоқ. Бет өздігінен жаңарады.',
    processing: 'Төлем блокчейнде анықталды және растауларды күтуде.',
    paid: 'Шот төленді. Рахмет.',
    expired: 'Шоттың мерзімі өтті. Ол бойынша төлем жібермеңіз; шот берушіден жаңа шот сұраңыз.',
    cancelled: 'Шот беруші бұл шоттың күшін жойды. Ол бойынша төлем жібермеңіз.',
  },
  amountsLine: 'Расталды: USD {paid}. Растауды күтуде: USD {pending}. Әлі төлеу керек: USD {remaining}.',
  remainingKzt: 'Қалдық теңгемен, бекітілген бағам бойынша: KZT {kzt}.',
  receiptLink: 'Түбіртекті ашу',
  receiptPending: 'Түбіртек дайындалуда; оның сілтемесі осы жерде пайда болады.',
  exception: {
    overpaid: 'USD {overpaid} артық төленді. Артық сома бойынша шот беруші сізбен хабарласады.',
    underpaid: 'Ішінара төленді: USD {due} ішінен USD {paid}. Шот берушімен хабарласыңыз.',
    late: 'Мерзімнен кейін төленді және бекітілген бағам бойынша қабылданды.',
  },
  statusUnavailable: 'Қазір мәртебені жаңарту мүмкін емес; қайта көреміз.',
  partPaid: 'Соманың бір бөлігі расталды. Төменде көрсетілген қалдықты төлеңіз.',
  coveredInFlight: 'Жолдағы төлемдер төленетін соманы жабады. Басқа ештеңе жібермеңіз: олар расталғанда бет жаңарады.',
  latePayable:
    'Төлеу мерзімі өтті, бірақ қалдық USD {remaining} бекітілген бағам бойынша {until} дейін (Астана уақыты) әлі қабылданады.',
  sentHeading: 'Сіздің төлеміңіз',
  howToPay: 'Қалай төлеуге болады',
  chooseOption: 'Төлем тәсілі',
  howIntro:
    'Бір нұсқаны таңдап, көрсетілген соманы дәл сол токенмен, сол желіде, төлем мекенжайына бір аударыммен жіберіңіз. 1 токен = 1 USD.',
  warnNetwork:
    'Жіберер алдында желіні және токен келісімшартын тексеріңіз. Басқа желіде немесе басқа токенмен жіберілген қаражат осы шотқа есептелмейді.',
  optionHeading: '{chain} желісіндегі {symbol}',
  amount: 'Сома',
  depositAddress: 'Төлем мекенжайы',
  network: 'Желі',
  chainId: 'chain ID {id}',
  tokenContract: 'Токен келісімшарты',
  copy: 'Көшіру',
  copyAmount: 'Соманы көшіру',
  copyAddress: 'Төлем мекенжайын көшіру',
  copied: 'Көшірілді',
  copyFailed: 'Көшіру мүмкін болмады; мәтінді белгілеп, қолмен көшіріңіз.',
  qrLabel: 'QR-код: {chain} желісінде {amount} {symbol} төлеу сұрауы',
  qrHint: 'Әмиян қосымшасымен сканерлеңіз',
  openLink: 'Әмиян қосымшасында ашу (EIP-681 сілтемесі)',
  payWithWallet: 'Әмиянмен төлеу',
  noWallet: 'Браузерде әмиян табылмады. QR-кодты сканерлеңіз немесе мекенжай мен соманы әмиянға көшіріңіз.',
  walletConnecting: 'Әмиянда қосылуды растаңыз…',
  walletSwitching: 'Әмиян {chain} желісіне ауыстырылуда…',
  walletSending: 'Әмиянда {amount} {symbol} аударымын растаңыз…',
  txSent: 'Транзакция жіберілді. Оның хеші:',
  viewExplorer: 'Блок шолғышында ашу',
  errRejected: 'Сіз әмиянда сұрауды қабылдамадыңыз.',
  errUnknownChain: 'Әмияныңыз {chain} желісін (chain ID {id}) танымайды. Оны әмиянға қосып, қайталап көріңіз.',
  errWrongChain: 'Әмиян әлі басқа желіде. Оны {chain} (chain ID {id}) желісіне ауыстырып, қайталап көріңіз.',
  errPending: 'Әмиянда жауап күтіп тұрған сұрау бар. Оған жауап беру үшін әмиянды ашыңыз.',
  errNoAccount: 'Әмиян мекенжай бермеді.',
  errGeneric: 'Әмиян қате туралы хабарлады: {message}',
  noScript:
    'JavaScript өшірулі, сондықтан әмиян батырмасы мен тірі мәртебе қолжетімсіз. Төлеу үшін осы беттегі деректер жеткілікті; мәртебені көру үшін бетті жаңартыңыз.',
  notPayable: 'Төлем деректемелері көрсетілмейді: бұл шотты енді төлеуге болмайды.',
  linkNotice: 'Шот сілтемесі жеке: оны тек осы шотты төлейтін адамға беріңіз.',
  contactIssuer: 'Шот немесе төлем бойынша сұрақтар: шот берушіге хабарласыңыз,',
  notFoundTitle: 'Шот табылмады',
  notFoundText: 'Бұл мекенжай бойынша шот жоқ. Шот берушіден алған сілтемені тексеріңіз.',
};

export const STRINGS: Record<PayLanguage, PayStrings> = { kk, ru, en };

/** Replaces each `{name}` in `template` with `vars[name]` (unknown names are left as they are). */
export function fill(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(vars, name) ? String(vars[name]) : whole,
  );
}
