/** The compliance screens' words in kk, ru and en. */
import type { Strings } from '../../contract';

export const complianceStrings: Strings<
  | 'registerFile'
  | 'uploadRegister'
  | 'version'
  | 'firms'
  | 'listName'
  | 'listFile'
  | 'uploadList'
  | 'addresses'
  | 'hold'
  | 'invoice'
  | 'from'
  | 'amount'
  | 'heldAt'
  | 'holdReason'
  | 'release'
  | 'reject'
  | 'decision'
  | 'decisionReason'
> = {
  kk: {
    registerFile: 'Лицензиялар тізілімі (CSV немесе JSON)',
    uploadRegister: 'Тізілімді жүктеу',
    version: 'Нұсқа',
    firms: 'Ұйымдар',
    listName: 'Тізім атауы',
    listFile: 'Скрининг тізімі (JSON)',
    uploadList: 'Тізімді жүктеу',
    addresses: 'Мекенжайлар',
    hold: 'Тоқтатылған аударым',
    invoice: 'Шот',
    from: 'Жіберуші',
    amount: 'Сомасы',
    heldAt: 'Тоқтатылды',
    holdReason: 'Себебі',
    release: 'Босату',
    reject: 'Қабылдамау',
    decision: 'Шешім',
    decisionReason: 'Шешім себебі',
  },
  ru: {
    registerFile: 'Реестр лицензий (CSV или JSON)',
    uploadRegister: 'Загрузить реестр',
    version: 'Версия',
    firms: 'Организации',
    listName: 'Название списка',
    listFile: 'Список проверки (JSON)',
    uploadList: 'Загрузить список',
    addresses: 'Адреса',
    hold: 'Задержанный перевод',
    invoice: 'Счёт',
    from: 'Отправитель',
    amount: 'Сумма',
    heldAt: 'Задержан',
    holdReason: 'Причина',
    release: 'Освободить',
    reject: 'Отклонить',
    decision: 'Решение',
    decisionReason: 'Причина решения',
  },
  en: {
    registerFile: 'Licence register (CSV or JSON)',
    uploadRegister: 'Upload register',
    version: 'Version',
    firms: 'Firms',
    listName: 'List name',
    listFile: 'Screening list (JSON)',
    uploadList: 'Upload list',
    addresses: 'Addresses',
    hold: 'Held transfer',
    invoice: 'Invoice',
    from: 'Sender',
    amount: 'Amount',
    heldAt: 'Held at',
    holdReason: 'Reason',
    release: 'Release',
    reject: 'Reject',
    decision: 'Decision',
    decisionReason: 'Reason for the decision',
  },
};
