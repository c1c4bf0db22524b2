/**
 * Every console screen, by role. The shell shows a role the entries whose `roles` include it, in this order.
 */
import type { ScreenEntry } from '../contract';
import { auditorScreens } from './auditor';
import { complianceScreens } from './compliance';
import { ministryScreens } from './ministry';
import { healthScreen, operatorScreens } from './operator';

export const consoleScreens: ScreenEntry[] = [
  ...ministryScreens,
  ...operatorScreens,
  ...complianceScreens,
  ...auditorScreens,
  healthScreen,
];
