/**
 * Every console screen, by role. The shell shows a role the entries whose `roles` include it, in this order.
 * Another role's list is added here as one more spread (the auditor's: `...auditorScreens` from `./auditor`).
 */
import type { ScreenEntry } from '../contract';
import { complianceScreens } from './compliance';
import { ministryScreens } from './ministry';
import { healthScreen, operatorScreens } from './operator';

export const consoleScreens: ScreenEntry[] = [
  ...ministryScreens,
  ...operatorScreens,
  ...complianceScreens,
  healthScreen,
];
