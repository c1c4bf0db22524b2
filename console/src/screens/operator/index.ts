/**
 * The operator's screens: suspense, sweeps, settlement uploads, reconciliation, dead letters, incidents, reference
 * data, health.
 */
import type { ScreenEntry } from '../../contract';
import { DeadLetters } from './dead-letters';
import { HealthScreen } from './health';
import { Incidents, Suspense, Sweeps } from './lists';
import { ReconciliationScreen } from './reconciliation';
import { ReferenceData } from './reference-data';
import { SettlementUploads } from './uploads';

export const operatorScreens: ScreenEntry[] = [
  {
    path: 'suspense',
    title: { kk: 'Күтудегі қаражат', ru: 'Невыясненные поступления', en: 'Suspense' },
    roles: ['operator'],
    nav: true,
    component: Suspense,
  },
  {
    path: 'sweeps',
    title: { kk: 'Кастодиға аудару', ru: 'Переводы в кастоди', en: 'Sweeps' },
    roles: ['operator'],
    nav: true,
    component: Sweeps,
  },
  {
    path: 'settlements',
    title: { kk: 'Есептер мен үзінділер', ru: 'Отчёты и выписки', en: 'Settlement uploads' },
    roles: ['operator'],
    nav: true,
    component: SettlementUploads,
  },
  {
    path: 'reconciliation',
    title: { kk: 'Салыстыру', ru: 'Сверка', en: 'Reconciliation' },
    roles: ['operator'],
    nav: true,
    component: ReconciliationScreen,
  },
  {
    path: 'dead-letters',
    title: { kk: 'Өңделмеген хабарлар', ru: 'Очереди недоставленных', en: 'Dead-letter queues' },
    roles: ['operator'],
    nav: true,
    component: DeadLetters,
  },
  {
    path: 'incidents',
    title: { kk: 'Оқиғалар', ru: 'Инциденты', en: 'Incidents' },
    roles: ['operator'],
    nav: true,
    component: Incidents,
  },
  {
    path: 'reference-data',
    title: { kk: 'Анықтамалық деректер', ru: 'Справочные данные', en: 'Reference data' },
    roles: ['operator'],
    nav: true,
    component: ReferenceData,
  },
];

/** The service's health, for every role (the route is public). */
export const healthScreen: ScreenEntry = {
  path: 'health',
  title: { kk: 'Жүйе күйі', ru: 'Состояние сервиса', en: 'Health' },
  roles: ['ministry', 'auditor', 'operator', 'compliance'],
  nav: true,
  component: HealthScreen,
};
