/** The shell's own words (sign-in, navigation, language switch) in kk, ru and en. */
import type { Strings } from './contract';

export const shellStrings: Strings<
  | 'app'
  | 'skip'
  | 'navigation'
  | 'language'
  | 'signOut'
  | 'signIn'
  | 'signInTitle'
  | 'devNote'
  | 'role'
  | 'ministry'
  | 'subject'
  | 'subjectHint'
  | 'cognitoNote'
  | 'expired'
  | 'notFound'
  | 'signedInAs'
  | 'ministryRole'
  | 'auditorRole'
  | 'operatorRole'
  | 'complianceRole'
> = {
  kk: {
    app: 'stablefee консолі',
    skip: 'Негізгі мазмұнға өту',
    navigation: 'Негізгі мәзір',
    language: 'Тіл',
    signOut: 'Шығу',
    signIn: 'Кіру',
    signInTitle: 'Консольге кіру',
    devNote: 'Жергілікті әзірлеу режимі: рөлді және министрлікті таңдаңыз (токенді /dev/tokens береді).',
    role: 'Рөл',
    ministry: 'Министрлік коды',
    subject: 'Пайдаланушы (міндетті емес)',
    subjectHint: 'Екі кісі ережесі үшін басқа атау беріңіз (мысалы, approver).',
    cognitoNote: 'Ұйымның есептік жазбасымен кіріңіз.',
    expired: 'Сеанс аяқталды немесе токен қабылданбады: қайта кіріңіз.',
    notFound: 'Мұндай бет жоқ немесе сіздің рөліңізге қолжетімсіз.',
    signedInAs: 'Кірген',
    ministryRole: 'Министрлік',
    auditorRole: 'Аудитор',
    operatorRole: 'Оператор',
    complianceRole: 'Комплаенс',
  },
  ru: {
    app: 'Консоль stablefee',
    skip: 'Перейти к содержимому',
    navigation: 'Главное меню',
    language: 'Язык',
    signOut: 'Выйти',
    signIn: 'Войти',
    signInTitle: 'Вход в консоль',
    devNote: 'Локальный режим разработки: выберите роль и министерство (токен выдаёт /dev/tokens).',
    role: 'Роль',
    ministry: 'Код министерства',
    subject: 'Пользователь (необязательно)',
    subjectHint: 'Для правила двух лиц укажите другое имя (например, approver).',
    cognitoNote: 'Войдите с учётной записью организации.',
    expired: 'Сеанс истёк или токен не принят: войдите снова.',
    notFound: 'Такой страницы нет или она недоступна вашей роли.',
    signedInAs: 'Вход выполнен',
    ministryRole: 'Министерство',
    auditorRole: 'Аудитор',
    operatorRole: 'Оператор',
    complianceRole: 'Комплаенс',
  },
  en: {
    app: 'stablefee console',
    skip: 'Skip to content',
    navigation: 'Main menu',
    language: 'Language',
    signOut: 'Sign out',
    signIn: 'Sign in',
    signInTitle: 'Sign in to the console',
    devNote: 'Local development mode: pick a role and ministry (the token comes from /dev/tokens).',
    role: 'Role',
    ministry: 'Ministry code',
    subject: 'User (optional)',
    subjectHint: 'For four-eyes work give another name (e.g. approver).',
    cognitoNote: 'Sign in with your organisation account.',
    expired: 'Your session ended or the token was refused: sign in again.',
    notFound: 'There is no such page, or your role may not open it.',
    signedInAs: 'Signed in',
    ministryRole: 'Ministry',
    auditorRole: 'Auditor',
    operatorRole: 'Operator',
    complianceRole: 'Compliance',
  },
};
