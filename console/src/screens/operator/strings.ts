/** The operator screens' words in kk, ru and en. */
import type { Strings } from '../../contract';

export const operatorStrings: Strings<
  | 'transfer'
  | 'chain'
  | 'token'
  | 'amount'
  | 'value'
  | 'from'
  | 'to'
  | 'state'
  | 'reason'
  | 'seen'
  | 'requestRefund'
  | 'refundRequested'
  | 'tx'
  | 'invoices'
  | 'submitted'
  | 'failure'
  | 'settlementFile'
  | 'uploadSettlement'
  | 'statementFile'
  | 'uploadStatement'
  | 'stored'
  | 'periodFrom'
  | 'periodTo'
  | 'reconcile'
  | 'summary'
  | 'lines'
  | 'matched'
  | 'exceptions'
  | 'journalBalanced'
  | 'queue'
  | 'replay'
  | 'moved'
  | 'check'
  | 'latency'
  | 'detail'
  | 'overall'
  | 'signer'
  | 'refresh'
  | 'kind'
  | 'address'
  | 'at'
> = {
  kk: {
    transfer: 'Аударым',
    chain: 'Желі',
    token: 'Токен',
    amount: 'Сомасы',
    value: 'Құны',
    from: 'Жіберуші',
    to: 'Алушы',
    state: 'Күйі',
    reason: 'Себебі',
    seen: 'Көрінді',
    requestRefund: 'Қайтаруды сұрау',
    refundRequested: 'Қайтару сұралды',
    tx: 'Транзакция',
    invoices: 'Шоттар',
    submitted: 'Жіберілді',
    failure: 'Сәтсіздік',
    settlementFile: 'Кастодиан есебі (CSV)',
    uploadSettlement: 'Есепті жүктеу',
    statementFile: 'Банк үзінді көшірмесі (camt.053 XML)',
    uploadStatement: 'Үзіндіні жүктеу',
    stored: 'Сақталды',
    periodFrom: 'Кезең басы',
    periodTo: 'Кезең соңы',
    reconcile: 'Салыстыру',
    summary: 'Қорытынды',
    lines: 'Жолдар',
    matched: 'Сәйкес',
    exceptions: 'Ерекшеліктер',
    journalBalanced: 'Журнал теңгерілген',
    queue: 'Кезек',
    replay: 'Қайта жіберу',
    moved: 'Жылжытылған хабарлар',
    check: 'Тексеру',
    latency: 'Кідіріс, мс',
    detail: 'Толығырақ',
    overall: 'Жалпы күйі',
    signer: 'Қол қоюшы',
    refresh: 'Жаңарту',
    kind: 'Түрі',
    address: 'Мекенжай',
    at: 'Уақыты',
  },
  ru: {
    transfer: 'Перевод',
    chain: 'Сеть',
    token: 'Токен',
    amount: 'Сумма',
    value: 'Стоимость',
    from: 'Отправитель',
    to: 'Получатель',
    state: 'Состояние',
    reason: 'Причина',
    seen: 'Замечен',
    requestRefund: 'Запросить возврат',
    refundRequested: 'Возврат запрошен',
    tx: 'Транзакция',
    invoices: 'Счета',
    submitted: 'Отправлен',
    failure: 'Сбой',
    settlementFile: 'Отчёт кастодиана (CSV)',
    uploadSettlement: 'Загрузить отчёт',
    statementFile: 'Банковская выписка (camt.053 XML)',
    uploadStatement: 'Загрузить выписку',
    stored: 'Сохранено',
    periodFrom: 'Начало периода',
    periodTo: 'Конец периода',
    reconcile: 'Сверить',
    summary: 'Итог',
    lines: 'Строки',
    matched: 'Сверено',
    exceptions: 'Исключения',
    journalBalanced: 'Журнал сбалансирован',
    queue: 'Очередь',
    replay: 'Переотправить',
    moved: 'Перемещено сообщений',
    check: 'Проверка',
    latency: 'Задержка, мс',
    detail: 'Подробности',
    overall: 'Общее состояние',
    signer: 'Подписант',
    refresh: 'Обновить',
    kind: 'Вид',
    address: 'Адрес',
    at: 'Время',
  },
  en: {
    transfer: 'Transfer',
    chain: 'Chain',
    token: 'Token',
    amount: 'Amount',
    value: 'Value',
    from: 'From',
    to: 'To',
    state: 'State',
    reason: 'Reason',
    seen: 'Seen',
    requestRefund: 'Request refund',
    refundRequested: 'Refund requested',
    tx: 'Transaction',
    invoices: 'Invoices',
    submitted: 'Submitted',
    failure: 'Failure',
    settlementFile: 'Custodian settlement report (CSV)',
    uploadSettlement: 'Upload report',
    statementFile: 'Bank statement (camt.053 XML)',
    uploadStatement: 'Upload statement',
    stored: 'Stored',
    periodFrom: 'Period start',
    periodTo: 'Period end',
    reconcile: 'Reconcile',
    summary: 'Summary',
    lines: 'Lines',
    matched: 'Matched',
    exceptions: 'Exceptions',
    journalBalanced: 'Journal balanced',
    queue: 'Queue',
    replay: 'Replay',
    moved: 'Messages moved',
    check: 'Check',
    latency: 'Latency, ms',
    detail: 'Detail',
    overall: 'Overall',
    signer: 'Signer',
    refresh: 'Refresh',
    kind: 'Kind',
    address: 'Address',
    at: 'At',
  },
};
