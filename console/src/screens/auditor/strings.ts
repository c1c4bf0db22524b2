/**
 * The auditor screens' strings in kk, ru and en. The verifier's own findings (a check's detail) are the sentences
 * `npx stablefee verify-export` prints, in English: they name files, rows and fields exactly, as the docs do.
 */

import type { CheckId, CheckStatus } from '../../../../shared/verify';
import type { ConsoleLang, Strings } from '../../contract';

type Key =
  | 'exportsTitle'
  | 'requestTitle'
  | 'fromDay'
  | 'toDay'
  | 'ministryCode'
  | 'ministryHint'
  | 'request'
  | 'requesting'
  | 'periodNote'
  | 'knownTitle'
  | 'none'
  | 'openById'
  | 'exportId'
  | 'open'
  | 'status'
  | 'period'
  | 'ministry'
  | 'allMinistries'
  | 'attempts'
  | 'error'
  | 'files'
  | 'file'
  | 'rows'
  | 'bytes'
  | 'waiting'
  | 'downloadZip'
  | 'downloading'
  | 'verify'
  | 'verifying'
  | 'expectedSigner'
  | 'signerHint'
  | 'verifyLocal'
  | 'verifyLocalHint'
  | 'sameCode'
  | 'loadFailed'
  | 'back'
  | 'checks'
  | 'check'
  | 'result'
  | 'details'
  | 'verified'
  | 'notVerified'
  | 'receiptTitle'
  | 'receiptId'
  | 'loadReceipt'
  | 'pasteReceipt'
  | 'receiptFile'
  | 'verifyPasted'
  | 'receiptNo'
  | 'invoice'
  | 'paid'
  | 'payments'
  | 'chain'
  | 'transaction'
  | 'prevHash'
  | 'hash'
  | 'signer'
  | 'issuedAt'
  | 'chainNote'
  | 'annulment';

export const strings: Strings<Key> = {
  en: {
    exportsTitle: 'Exports',
    requestTitle: 'Request an export',
    fromDay: 'From (day, UTC)',
    toDay: 'To (day, UTC, included)',
    ministryCode: 'Ministry code',
    ministryHint: 'Empty: every ministry',
    request: 'Request',
    requesting: 'Requesting…',
    periodNote: 'The period exported: {from} to {to} (UTC, the end excluded).',
    knownTitle: 'Exports requested in this browser',
    none: 'None yet.',
    openById: 'Open an export by its id',
    exportId: 'Export id (exp_…)',
    open: 'Open',
    status: 'Status',
    period: 'Period',
    ministry: 'Ministry',
    allMinistries: 'All ministries',
    attempts: 'Attempts',
    error: 'Error',
    files: 'Files',
    file: 'File',
    rows: 'Rows',
    bytes: 'Bytes',
    waiting: 'The export is being prepared; this page refreshes every few seconds.',
    downloadZip: 'Download all files (zip)',
    downloading: 'Downloading…',
    verify: 'Verify in this browser',
    verifying: 'Verifying…',
    expectedSigner: 'Expected signer',
    signerHint: 'The address the service publishes at /v1/health; without one nothing verifies.',
    verifyLocal: 'Verify files from this computer',
    verifyLocalHint: 'The zip, or the CSV files and manifest.json.',
    sameCode: 'The same checks as npx stablefee verify-export, run in this browser.',
    loadFailed: 'Could not load: {detail}',
    back: 'All exports',
    checks: 'Checks',
    check: 'Check',
    result: 'Result',
    details: 'Details',
    verified: 'Verified: every check passed.',
    notVerified: 'Not verified: {n} problem(s).',
    receiptTitle: 'Verify a receipt',
    receiptId: 'Receipt id (rcp_…)',
    loadReceipt: 'Load and verify',
    pasteReceipt: 'Or paste the receipt (JSON)',
    receiptFile: 'Or choose a receipt file',
    verifyPasted: 'Verify',
    receiptNo: 'Receipt number',
    invoice: 'Invoice',
    paid: 'Paid (USD)',
    payments: 'Payments',
    chain: 'Chain',
    transaction: 'Transaction',
    prevHash: 'Previous receipt’s hash',
    hash: 'Hash',
    signer: 'Signer',
    issuedAt: 'Issued',
    chainNote: 'A receipt links to the previous one by its hash; an export’s verification checks each chain whole.',
    annulment: 'Annulment of receipt {id}',
  },
  ru: {
    exportsTitle: 'Выгрузки',
    requestTitle: 'Запросить выгрузку',
    fromDay: 'С (день, UTC)',
    toDay: 'По (день, UTC, включительно)',
    ministryCode: 'Код министерства',
    ministryHint: 'Пусто: все министерства',
    request: 'Запросить',
    requesting: 'Запрос…',
    periodNote: 'Период выгрузки: с {from} по {to} (UTC, конец не включается).',
    knownTitle: 'Выгрузки, запрошенные в этом браузере',
    none: 'Пока нет.',
    openById: 'Открыть выгрузку по идентификатору',
    exportId: 'Идентификатор выгрузки (exp_…)',
    open: 'Открыть',
    status: 'Статус',
    period: 'Период',
    ministry: 'Министерство',
    allMinistries: 'Все министерства',
    attempts: 'Попытки',
    error: 'Ошибка',
    files: 'Файлы',
    file: 'Файл',
    rows: 'Строк',
    bytes: 'Байт',
    waiting: 'Выгрузка готовится; страница обновляется каждые несколько секунд.',
    downloadZip: 'Скачать все файлы (zip)',
    downloading: 'Загрузка…',
    verify: 'Проверить в браузере',
    verifying: 'Проверка…',
    expectedSigner: 'Ожидаемый подписант',
    signerHint: 'Адрес, который сервис публикует в /v1/health; без него ничего не подтверждается.',
    verifyLocal: 'Проверить файлы с этого компьютера',
    verifyLocalHint: 'Архив zip или CSV-файлы и manifest.json.',
    sameCode: 'Те же проверки, что и npx stablefee verify-export, выполняются в этом браузере.',
    loadFailed: 'Не удалось загрузить: {detail}',
    back: 'Все выгрузки',
    checks: 'Проверки',
    check: 'Проверка',
    result: 'Результат',
    details: 'Подробности',
    verified: 'Подтверждено: все проверки пройдены.',
    notVerified: 'Не подтверждено: проблем — {n}.',
    receiptTitle: 'Проверить квитанцию',
    receiptId: 'Идентификатор квитанции (rcp_…)',
    loadReceipt: 'Загрузить и проверить',
    pasteReceipt: 'Или вставьте квитанцию (JSON)',
    receiptFile: 'Или выберите файл квитанции',
    verifyPasted: 'Проверить',
    receiptNo: 'Номер квитанции',
    invoice: 'Счёт',
    paid: 'Оплачено (USD)',
    payments: 'Платежи',
    chain: 'Сеть',
    transaction: 'Транзакция',
    prevHash: 'Хеш предыдущей квитанции',
    hash: 'Хеш',
    signer: 'Подписант',
    issuedAt: 'Выдана',
    chainNote: 'Квитанция ссылается на предыдущую по её хешу; проверка выгрузки проверяет каждую цепочку целиком.',
    annulment: 'Аннулирование квитанции {id}',
  },
  kk: {
    exportsTitle: 'Экспорттар',
    requestTitle: 'Экспортқа сұрау жіберу',
    fromDay: 'Басы (күн, UTC)',
    toDay: 'Соңы (күн, UTC, қоса алғанда)',
    ministryCode: 'Министрлік коды',
    ministryHint: 'Бос болса: барлық министрліктер',
    request: 'Сұрау',
    requesting: 'Сұралуда…',
    periodNote: 'Экспорт кезеңі: {from} бастап {to} дейін (UTC, соңы кірмейді).',
    knownTitle: 'Осы браузерде сұралған экспорттар',
    none: 'Әзірге жоқ.',
    openById: 'Экспортты идентификаторы бойынша ашу',
    exportId: 'Экспорт идентификаторы (exp_…)',
    open: 'Ашу',
    status: 'Күйі',
    period: 'Кезең',
    ministry: 'Министрлік',
    allMinistries: 'Барлық министрліктер',
    attempts: 'Әрекеттер',
    error: 'Қате',
    files: 'Файлдар',
    file: 'Файл',
    rows: 'Жолдар',
    bytes: 'Байт',
    waiting: 'Экспорт дайындалуда; бет бірнеше секунд сайын жаңартылады.',
    downloadZip: 'Барлық файлдарды жүктеп алу (zip)',
    downloading: 'Жүктелуде…',
    verify: 'Осы браузерде тексеру',
    verifying: 'Тексерілуде…',
    expectedSigner: 'Күтілетін қол қоюшы',
    signerHint: 'Сервис /v1/health арқылы жариялайтын мекенжай; онсыз ештеңе расталмайды.',
    verifyLocal: 'Осы компьютердегі файлдарды тексеру',
    verifyLocalHint: 'Zip мұрағаты немесе CSV файлдары мен manifest.json.',
    sameCode: 'npx stablefee verify-export тексерулерінің дәл өзі, осы браузерде орындалады.',
    loadFailed: 'Жүктеу мүмкін болмады: {detail}',
    back: 'Барлық экспорттар',
    checks: 'Тексерулер',
    check: 'Тексеру',
    result: 'Нәтиже',
    details: 'Толығырақ',
    verified: 'Расталды: барлық тексеруден өтті.',
    notVerified: 'Расталмады: {n} мәселе.',
    receiptTitle: 'Түбіртекті тексеру',
    receiptId: 'Түбіртек идентификаторы (rcp_…)',
    loadReceipt: 'Жүктеу және тексеру',
    pasteReceipt: 'Немесе түбіртекті қойыңыз (JSON)',
    receiptFile: 'Немесе түбіртек файлын таңдаңыз',
    verifyPasted: 'Тексеру',
    receiptNo: 'Түбіртек нөмірі',
    invoice: 'Шот',
    paid: 'Төленді (USD)',
    payments: 'Төлемдер',
    chain: 'Желі',
    transaction: 'Транзакция',
    prevHash: 'Алдыңғы түбіртектің хеші',
    hash: 'Хеш',
    signer: 'Қол қоюшы',
    issuedAt: 'Берілген уақыты',
    chainNote: 'Түбіртек алдыңғысына оның хеші арқылы сілтейді; экспортты тексеру әр тізбекті толық тексереді.',
    annulment: '{id} түбіртегінің күшін жою',
  },
};

/** What each check is, for the list of checks: a CSV file's check is its header, SHA-256, bytes and rows. */
const checkTitles: Record<ConsoleLang, Record<string, string>> = {
  en: {
    manifest: 'manifest.json: canonical form, signature, expected signer',
    csv: '{file}: header, SHA-256, bytes and rows as the manifest lists',
    totals: 'Totals and trial balance recomputed from the rows',
    'receipt-chains': 'Receipt chains: signatures, links, the manifest’s anchor and head',
    'receipts-invoices': 'Receipts against the paid invoices',
    'sweeps-journal': 'Sweeps against the journal',
    'refunds-journal': 'Refunds against the journal, four eyes',
    'settlements-reconciliation': 'Settlements against the reconciliation',
    'receipt-form': 'The receipt is a readable document',
    'receipt-signature': 'Fields, EIP-712 signature and expected signer',
  },
  ru: {
    manifest: 'manifest.json: каноническая форма, подпись, ожидаемый подписант',
    csv: '{file}: заголовок, SHA-256, байты и строки как в манифесте',
    totals: 'Итоги и оборотная ведомость, пересчитанные по строкам',
    'receipt-chains': 'Цепочки квитанций: подписи, связи, начало и конец по манифесту',
    'receipts-invoices': 'Квитанции и оплаченные счета',
    'sweeps-journal': 'Сборы средств и журнал',
    'refunds-journal': 'Возвраты и журнал, принцип четырёх глаз',
    'settlements-reconciliation': 'Расчёты и сверка',
    'receipt-form': 'Квитанция — читаемый документ',
    'receipt-signature': 'Поля, подпись EIP-712 и ожидаемый подписант',
  },
  kk: {
    manifest: 'manifest.json: канондық пішін, қолтаңба, күтілетін қол қоюшы',
    csv: '{file}: тақырып жолы, SHA-256, байт пен жолдар манифесттегідей',
    totals: 'Жолдардан қайта есептелген жиынтықтар мен айналым ведомосы',
    'receipt-chains': 'Түбіртек тізбектері: қолтаңбалар, байланыстар, манифесттегі басы мен соңы',
    'receipts-invoices': 'Түбіртектер мен төленген шоттар',
    'sweeps-journal': 'Қаражат жинау және журнал',
    'refunds-journal': 'Қайтарулар және журнал, төрт көз қағидаты',
    'settlements-reconciliation': 'Есеп айырысулар және салыстыру',
    'receipt-form': 'Түбіртек — оқылатын құжат',
    'receipt-signature': 'Өрістер, EIP-712 қолтаңбасы және күтілетін қол қоюшы',
  },
};

/** A check's title in `lang`. */
export function checkTitle(lang: ConsoleLang, id: CheckId): string {
  const titles = checkTitles[lang];
  return id.endsWith('.csv') ? fill(titles.csv as string, { file: id }) : (titles[id] ?? id);
}

const statusWords: Record<ConsoleLang, Record<CheckStatus, string>> = {
  en: { passed: 'Passed', failed: 'Failed', 'not-run': 'Not run' },
  ru: { passed: 'Пройдена', failed: 'Не пройдена', 'not-run': 'Не выполнялась' },
  kk: { passed: 'Өтті', failed: 'Өтпеді', 'not-run': 'Орындалмады' },
};

/** A check's outcome in words. */
export const statusWord = (lang: ConsoleLang, status: CheckStatus) => statusWords[lang][status];

const jobStatusWords: Record<ConsoleLang, Record<string, string>> = {
  en: { requested: 'Requested', running: 'Running', done: 'Done', failed: 'Failed' },
  ru: { requested: 'Запрошена', running: 'Выполняется', done: 'Готова', failed: 'Ошибка' },
  kk: { requested: 'Сұралды', running: 'Орындалуда', done: 'Дайын', failed: 'Сәтсіз' },
};

/** An export job's status in words. */
export const jobStatusWord = (lang: ConsoleLang, status: string) => jobStatusWords[lang][status] ?? status;

/** `template` with each `{name}` replaced by `values[name]`. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => String(values[name] ?? whole));
}

const locales: Record<ConsoleLang, string> = { en: 'en-GB', ru: 'ru-RU', kk: 'kk-KZ' };

/** An instant as the reader's language writes it, in UTC (the periods are UTC). */
export function formatInstant(lang: ConsoleLang, iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locales[lang], { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' }).format(
    date,
  );
}

/** A whole number as the reader's language writes it. */
export const formatCount = (lang: ConsoleLang, n: number) => new Intl.NumberFormat(locales[lang]).format(n);
