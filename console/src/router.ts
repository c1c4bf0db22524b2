/** Hash routing: `#/invoices/inv_…` matched against the screens' paths (`invoices/:id`). */
import type { ConsoleRole, ScreenEntry } from './contract';

/** The current route: the hash without `#/`, and without any `?query`. */
export function currentRoute(): string {
  return location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';
}

/** The href of a route, for links. */
export function href(route: string): string {
  return `#/${route}`;
}

/** The screen `route` opens for `role`, with its `:name` parameters; undefined when none matches. */
export function matchScreen(
  screens: ScreenEntry[],
  role: ConsoleRole,
  route: string,
): { screen: ScreenEntry; params: Record<string, string> } | undefined {
  const parts = route.split('/').filter(Boolean);
  for (const screen of screens) {
    if (!screen.roles.includes(role)) continue;
    const pattern = screen.path.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const matches = pattern.every((segment, i) => {
      const part = parts[i] ?? '';
      if (segment.startsWith(':')) {
        try {
          params[segment.slice(1)] = decodeURIComponent(part);
        } catch {
          return false;
        }
        return true;
      }
      return segment === part;
    });
    if (matches) return { screen, params };
  }
  return undefined;
}
