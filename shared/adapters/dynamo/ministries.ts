/**
 * The ministries whose invoices and receipts an all-ministries list (an auditor's) reads, one partition each. Every
 * invoice is issued against a fee, so its ministry is one that has, or had, a fee: the sample catalog's (a table not
 * yet seeded) and every fee version in reference data, approved or scheduled. Versions are never deleted, so a
 * ministry that leaves the catalog stays listed while its invoices exist.
 */
import { sampleFeeCatalog } from '../../domain/fees';
import { dynamoReferenceData } from './reference-data';

/** How long a container keeps the set: a fee for a new ministry shows in auditors' lists within a minute. */
const CACHE_MS = 60_000;
let cached: { ministries: readonly string[]; until: number } | undefined;

/** Every ministry that has or had a fee, read from reference data at most once a minute per container. */
export async function listedMinistries(now = Date.now()): Promise<readonly string[]> {
  if (cached && cached.until > now) return cached.ministries;
  const versions = await dynamoReferenceData.versions('fee');
  const ministries = new Set(sampleFeeCatalog.map((fee) => fee.ministry));
  for (const version of versions) if (version.value.kind === 'fee') ministries.add(version.value.fee.ministry);
  cached = { ministries: [...ministries].sort(), until: now + CACHE_MS };
  return cached.ministries;
}
