/** The reference-data screens' words (operator's Reference data, ministry's Fee changes) in kk, ru and en. */
import type { Strings } from '../../contract';

export const referenceStrings: Strings<
  | 'fees'
  | 'mrp'
  | 'registries'
  | 'changes'
  | 'ownFees'
  | 'proposeFee'
  | 'proposeMrp'
  | 'proposeRegistry'
  | 'code'
  | 'ministry'
  | 'title'
  | 'amount'
  | 'year'
  | 'kztPerMrp'
  | 'url'
  | 'format'
  | 'when'
  | 'inForceSince'
  | 'scheduledFrom'
  | 'version'
  | 'approvedBy'
  | 'kind'
  | 'subject'
  | 'value'
  | 'proposedBy'
  | 'effectiveFrom'
  | 'onApproval'
  | 'decision'
  | 'approve'
  | 'reject'
  | 'propose'
  | 'proposedOk'
  | 'decidedOk'
  | 'yours'
  | 'state_proposed'
  | 'state_approved'
  | 'state_rejected'
  | 'kind_fee'
  | 'kind_mrp'
  | 'kind_registry'
  | 'startFrom'
  | 'newFee'
  | 'titleKk'
  | 'titleRu'
  | 'titleEn'
  | 'unit'
  | 'unitUsd'
  | 'unitKzt'
  | 'unitMrp'
  | 'amountHint'
  | 'amountBad'
  | 'codeHint'
  | 'ministryHint'
  | 'budget'
  | 'kbk'
  | 'knp'
  | 'kbe'
  | 'beneficiaryBin'
  | 'digitsBad'
  | 'binBad'
  | 'requiresLicence'
  | 'contactUrl'
  | 'contactEmail'
  | 'contactPhone'
  | 'contactBad'
  | 'effectiveFromOptional'
  | 'effectiveFromHint'
  | 'kztHint'
  | 'kztBad'
  | 'mrpHint'
  | 'urlHint'
  | 'urlBad'
  | 'seeded'
  | 'mrpMissing'
> = {
  kk: {
    fees: 'Алымдар',
    mrp: 'Жылдар бойынша АЕК',
    registries: 'Министрліктердің тізілімдері',
    changes: 'Өзгерістер',
    ownFees: 'Министрліктің күшіндегі алымдары',
    proposeFee: 'Алымды ұсыну',
    proposeMrp: 'Жылдың АЕК-ін ұсыну',
    proposeRegistry: 'Тізілім мекенжайын ұсыну',
    code: 'Коды',
    ministry: 'Министрлік',
    title: 'Атауы',
    amount: 'Сомасы',
    year: 'Жыл',
    kztPerMrp: '1 АЕК, теңге',
    url: 'Мекенжайы (URL)',
    format: 'Пішімі',
    when: 'Қашан',
    inForceSince: 'Күшінде, басталуы',
    scheduledFrom: 'Жоспарланған, басталуы',
    version: 'Нұсқа',
    approvedBy: 'Бекіткен',
    kind: 'Түрі',
    subject: 'Нысаны',
    value: 'Мәні',
    proposedBy: 'Ұсынған',
    effectiveFrom: 'Күшіне енуі',
    onApproval: 'бекітілген сәттен',
    decision: 'Шешім',
    approve: 'Бекіту',
    reject: 'Қабылдамау',
    propose: 'Бекітуге ұсыну',
    proposedOk: 'Бекітуге ұсынылды',
    decidedOk: 'Шешім қабылданды',
    yours: 'Мұны сіз ұсындыңыз: басқа адам бекітеді.',
    state_proposed: 'ұсынылған',
    state_approved: 'бекітілген',
    state_rejected: 'қабылданбаған',
    kind_fee: 'алым',
    kind_mrp: 'АЕК',
    kind_registry: 'тізілім',
    startFrom: 'Негізі',
    newFee: 'Жаңа алым',
    titleKk: 'Атауы (қазақша)',
    titleRu: 'Атауы (орысша)',
    titleEn: 'Атауы (ағылшынша)',
    unit: 'Өлшем бірлігі',
    unitUsd: 'АҚШ доллары',
    unitKzt: 'Теңге',
    unitMrp: 'АЕК',
    amountHint: 'Оң сан, ең көбі 2 бөлшек таңба, мысалы 123.45',
    amountBad: 'Сома дұрыс емес: оң сан, ең көбі 2 бөлшек таңба (мысалы 123.45).',
    codeHint: 'Бас әріптер мен цифрлар, «-» арқылы (мысалы AFSA-APP-AI)',
    ministryHint: 'Министрлік коды, мысалы AFSA',
    budget: 'Бюджет деректемелері (мемлекеттік бюджет кірісі үшін)',
    kbk: 'КБК (6 цифр)',
    knp: 'КНП (3 цифр)',
    kbe: 'КБе (2 цифр)',
    beneficiaryBin: 'Алушының БСН',
    digitsBad: 'Цифрлар саны дұрыс емес.',
    binBad: 'БСН дұрыс емес (бақылау цифры сәйкес келмейді).',
    requiresLicence: 'Тек белсенді лицензиясы бар төлеушіге',
    contactUrl: 'Төлеушілерге арналған сайт (https, міндетті емес)',
    contactEmail: 'Төлеушілерге арналған email (міндетті емес)',
    contactPhone: 'Төлеушілерге арналған телефон (+7 …, міндетті емес)',
    contactBad: 'Дұрыс емес: https сілтеме, email немесе +7 нөмірі.',
    effectiveFromOptional: 'Күшіне енуі (міндетті емес, Қазақстан уақыты)',
    effectiveFromHint: 'Бос болса — бекітілген сәттен.',
    kztHint: 'Бүтін теңге, мысалы 4325',
    kztBad: 'Бүтін оң теңге саны болуы керек (мысалы 4325).',
    mrpHint: 'Жылдың АЕК-і сол жылдың 1 қаңтарынан, Астана уақытымен 00:00-ден күшіне енеді.',
    urlHint: 'https, жария мекенжай ғана',
    urlBad: 'Бұл мекенжай (URL) емес.',
    seeded: 'Бастапқы деректер, басынан күшінде',
    mrpMissing:
      '{year} жылға АЕК бекітілмеген: 1 қаңтардан бастап АЕК-пен белгіленген алымдарға шот шығару мүмкін емес. Оны төменде ұсыныңыз; басқа оператор бекітеді.',
  },
  ru: {
    fees: 'Сборы',
    mrp: 'МРП по годам',
    registries: 'Реестры министерств',
    changes: 'Изменения',
    ownFees: 'Действующие сборы министерства',
    proposeFee: 'Предложить сбор',
    proposeMrp: 'Предложить МРП на год',
    proposeRegistry: 'Предложить адрес реестра',
    code: 'Код',
    ministry: 'Министерство',
    title: 'Название',
    amount: 'Сумма',
    year: 'Год',
    kztPerMrp: '1 МРП, тенге',
    url: 'Адрес (URL)',
    format: 'Формат',
    when: 'Когда',
    inForceSince: 'Действует с',
    scheduledFrom: 'Запланировано с',
    version: 'Версия',
    approvedBy: 'Утвердил',
    kind: 'Вид',
    subject: 'Предмет',
    value: 'Значение',
    proposedBy: 'Предложил',
    effectiveFrom: 'Вступает в силу',
    onApproval: 'с момента утверждения',
    decision: 'Решение',
    approve: 'Утвердить',
    reject: 'Отклонить',
    propose: 'Предложить на утверждение',
    proposedOk: 'Предложено на утверждение',
    decidedOk: 'Решение принято',
    yours: 'Это ваше предложение: утверждает другой человек.',
    state_proposed: 'предложено',
    state_approved: 'утверждено',
    state_rejected: 'отклонено',
    kind_fee: 'сбор',
    kind_mrp: 'МРП',
    kind_registry: 'реестр',
    startFrom: 'Основа',
    newFee: 'Новый сбор',
    titleKk: 'Название (казахский)',
    titleRu: 'Название (русский)',
    titleEn: 'Название (английский)',
    unit: 'Единица',
    unitUsd: 'Доллары США',
    unitKzt: 'Тенге',
    unitMrp: 'МРП',
    amountHint: 'Положительное число, не более 2 знаков после точки, например 123.45',
    amountBad: 'Неверная сумма: положительное число, не более 2 знаков после точки (например 123.45).',
    codeHint: 'Заглавные буквы и цифры через «-» (например AFSA-APP-AI)',
    ministryHint: 'Код министерства, например AFSA',
    budget: 'Бюджетные реквизиты (для доходов государственного бюджета)',
    kbk: 'КБК (6 цифр)',
    knp: 'КНП (3 цифры)',
    kbe: 'КБе (2 цифры)',
    beneficiaryBin: 'БИН получателя',
    digitsBad: 'Неверное число цифр.',
    binBad: 'Неверный БИН (не сходится контрольная цифра).',
    requiresLicence: 'Только плательщику с действующей лицензией',
    contactUrl: 'Сайт для плательщиков (https, необязательно)',
    contactEmail: 'Email для плательщиков (необязательно)',
    contactPhone: 'Телефон для плательщиков (+7 …, необязательно)',
    contactBad: 'Неверно: ссылка https, email или номер +7.',
    effectiveFromOptional: 'Вступает в силу (необязательно, время Казахстана)',
    effectiveFromHint: 'Пусто — с момента утверждения.',
    kztHint: 'Целые тенге, например 4325',
    kztBad: 'Нужно целое положительное число тенге (например 4325).',
    mrpHint: 'МРП года действует с 00:00 по времени Астаны 1 января этого года.',
    urlHint: 'только https и публичный адрес',
    urlBad: 'Это не адрес (URL).',
    seeded: 'Исходные данные, действуют с начала',
    mrpMissing:
      'МРП на {year} год не утверждён: с 1 января по сборам в МРП нельзя выставить счёт. Предложите его ниже; утверждает другой оператор.',
  },
  en: {
    fees: 'Fees',
    mrp: 'MRP by year',
    registries: "Ministries' registries",
    changes: 'Changes',
    ownFees: "The ministry's fees in force",
    proposeFee: 'Propose a fee',
    proposeMrp: "Propose a year's MRP",
    proposeRegistry: 'Propose a registry endpoint',
    code: 'Code',
    ministry: 'Ministry',
    title: 'Title',
    amount: 'Amount',
    year: 'Year',
    kztPerMrp: 'KZT per MRP',
    url: 'Address (URL)',
    format: 'Format',
    when: 'When',
    inForceSince: 'In force since',
    scheduledFrom: 'Scheduled from',
    version: 'Version',
    approvedBy: 'Approved by',
    kind: 'Kind',
    subject: 'Subject',
    value: 'Value',
    proposedBy: 'Proposed by',
    effectiveFrom: 'Effective from',
    onApproval: 'on approval',
    decision: 'Decision',
    approve: 'Approve',
    reject: 'Reject',
    propose: 'Propose for approval',
    proposedOk: 'Proposed for approval',
    decidedOk: 'Decided',
    yours: 'You proposed this: another person approves it.',
    state_proposed: 'proposed',
    state_approved: 'approved',
    state_rejected: 'rejected',
    kind_fee: 'fee',
    kind_mrp: 'MRP',
    kind_registry: 'registry',
    startFrom: 'Start from',
    newFee: 'A new fee',
    titleKk: 'Title (Kazakh)',
    titleRu: 'Title (Russian)',
    titleEn: 'Title (English)',
    unit: 'Unit',
    unitUsd: 'US dollars',
    unitKzt: 'Tenge',
    unitMrp: 'MRP',
    amountHint: 'A positive number, at most 2 decimals, e.g. 123.45',
    amountBad: 'Not an amount: a positive number with at most 2 decimals (e.g. 123.45).',
    codeHint: 'Upper-case letters and digits separated by "-" (e.g. AFSA-APP-AI)',
    ministryHint: 'A ministry code such as AFSA',
    budget: 'Budget details (for state budget revenue)',
    kbk: 'KBK (6 digits)',
    knp: 'KNP (3 digits)',
    kbe: 'KBe (2 digits)',
    beneficiaryBin: 'Beneficiary BIN',
    digitsBad: 'Wrong number of digits.',
    binBad: 'Not a valid BIN (the check digit does not match).',
    requiresLicence: 'Only to a payer with an active licence',
    contactUrl: 'Website for payers (https, optional)',
    contactEmail: 'E-mail for payers (optional)',
    contactPhone: 'Phone for payers (+7 …, optional)',
    contactBad: 'Not valid: an https link, an e-mail address or a +7 number.',
    effectiveFromOptional: 'Effective from (optional, Kazakhstan time)',
    effectiveFromHint: 'Empty: from the approval.',
    kztHint: 'Whole tenge, e.g. 4325',
    kztBad: 'Must be a positive whole number of tenge (e.g. 4325).',
    mrpHint: "A year's MRP is in force from 00:00 Astana time on 1 January of that year.",
    urlHint: 'https and a public address only',
    urlBad: 'Not an address (URL).',
    seeded: 'Initial data, in force from the start',
    mrpMissing:
      'No MRP is approved for {year}: from 1 January, MRP-priced fees cannot be invoiced. Propose it below; another operator approves it.',
  },
};
