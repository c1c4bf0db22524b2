/** The compliance officer's screens: register and screening-list uploads, holds. */
import type { ScreenEntry } from '../../contract';
import { Holds } from './holds';
import { ComplianceUploads } from './uploads';

export const complianceScreens: ScreenEntry[] = [
  {
    path: 'holds',
    title: { kk: 'Тоқтатылған аударымдар', ru: 'Задержанные переводы', en: 'Holds' },
    roles: ['compliance', 'operator'],
    nav: true,
    component: Holds,
  },
  {
    path: 'compliance-uploads',
    title: { kk: 'Тізілім және тізімдер', ru: 'Реестр и списки', en: 'Register and lists' },
    roles: ['compliance'],
    nav: true,
    component: ComplianceUploads,
  },
];
