/**
 * The items behind a page of a global secondary index that does not keep every attribute (shared/resources.ts
 * `IndexProjection`): the page's keys are read back from the table with BatchGetItem, in the page's order. An index
 * projecting everything is returned as it is, so readers call this whatever the index.
 */
import { type IndexProjection, table } from '../../resources';
import { batchGetItems } from './batch-get';

type Item = Record<string, unknown>;

/** The names of the table's indexes. */
export type IndexName = (typeof table.indexes)[number]['name'];

const projections = new Map<string, IndexProjection>(table.indexes.map((index) => [index.name, index.projection]));

/** Whether the index keeps every attribute of its items (a query on it needs no read-back). */
export function projectsAll(index: IndexName): boolean {
  return projections.get(index) === 'all';
}

const keyOf = (item: Item) => JSON.stringify([item[table.partitionKey], item[table.sortKey]]);

/**
 * The full items of `page` (items a query of `index` returned), in the same order. An item deleted since the query
 * is left out; one changed since is returned as it is now (a list reads the item, not the index's old copy).
 */
export async function fullItems(index: IndexName, page: readonly Item[]): Promise<Item[]> {
  if (projectsAll(index) || page.length === 0) return [...page];
  // BatchGetItem refuses a request naming one key twice (a merged page may hold an item found two ways).
  const unique = new Map<string, Item>();
  for (const item of page) {
    unique.set(keyOf(item), { [table.partitionKey]: item[table.partitionKey], [table.sortKey]: item[table.sortKey] });
  }
  const keys = [...unique.values()];
  const found = new Map<string, Item>();
  for (let i = 0; i < keys.length; i += 100) {
    for (const item of await batchGetItems(keys.slice(i, i + 100))) found.set(keyOf(item), item);
  }
  return page.flatMap((item) => {
    const full = found.get(keyOf(item));
    return full ? [full] : [];
  });
}
