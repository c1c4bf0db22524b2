/**
 * What each HTTP route of the topology takes and answers, keyed by its route key (`GET /v1/invoices/{id}`, as in
 * infra/topology.ts and API Gateway): the query and body schemas its handler validates with (./requests.ts), its
 * success responses (./responses.ts where the body has a schema) and who may call it. The OpenAPI document
 * (./openapi.ts) is built from this table alone; test/unit/openapi.test.ts fails when a topology route has no entry
 * here (or a different `auth`), so a new route is described before it ships.
 */
import type { ZodType } from 'zod';
import {
  approveChangeSchema,
  changesQuerySchema,
  feeProposalSchema,
  mrpProposalSchema,
  registryProposalSchemaFor,
  rejectChangeSchema,
  versionsQuerySchema,
} from '../../domain/reference-data';
import { screeningListBodySchema } from '../../domain/screening';
import {
  exportBody,
  holdDecisionBody,
  holdsQuery,
  incidentsQuery,
  invoicesQuery,
  issueInvoiceBody,
  payPageQuery,
  payQuery,
  periodQuery,
  receiptsQuery,
  refundRequestBody,
  refundsQuery,
  replayBody,
  sweepsQuery,
  transfersQuery,
} from './requests';
import {
  feeListSchema,
  healthSchema,
  invoiceDetailSchema,
  invoiceListSchema,
  invoiceSchema,
  livenessSchema,
  payViewSchema,
  receiptListSchema,
  receiptSchemaWithDelivery,
  signedReceiptSchema,
} from './responses';

/** One documented answer of a route. */
export interface ResponseContract {
  description: string;
  /** The JSON body's schema; absent: JSON whose shape the document does not describe yet. */
  schema?: ZodType;
  /** When not `application/json` (an HTML page, the OpenAPI document itself). */
  contentType?: string;
}

/** A request body that is not JSON validated by a schema: a file upload, a provider's signed webhook. */
export interface RawBodyContract {
  contentTypes: readonly string[];
  description: string;
}

/** What one route takes and answers. Errors (4xx, 5xx) are `application/problem+json` on every route. */
export interface RouteContract {
  /** As in the topology: `jwt` routes need a bearer token (the handler then checks the caller's role). */
  auth: 'jwt' | 'public';
  summary: string;
  /** Who may call it, in words (the handler's `auth` enforces it). */
  callers: string;
  tag: string;
  query?: ZodType;
  body?: ZodType | RawBodyContract;
  /** Success answers by status. */
  responses: Record<number, ResponseContract>;
  /** Error answers that are not problem+json (a payer's HTML page), by status. */
  errorPages?: Record<number, ResponseContract>;
}

const html = (description: string): ResponseContract => ({ description, contentType: 'text/html' });
const json = (description: string, schema?: ZodType): ResponseContract =>
  schema ? { description, schema } : { description };

/** Every HTTP route of the service, by route key. */
export const apiRoutes: Record<string, RouteContract> = {
  'GET /v1/health': {
    auth: 'public',
    tag: 'Service',
    summary: 'Liveness and the receipt signer address (cached briefly at the edge).',
    callers: 'anyone',
    responses: {
      200: json('Alive.', livenessSchema),
      503: json('The signer cannot be read.', livenessSchema),
    },
  },
  'GET /v1/ops/health': {
    auth: 'jwt',
    tag: 'Operations',
    summary: 'The state of every dependency: table, queues, chain RPC, signer.',
    callers: 'operator',
    responses: {
      200: json('Every check is ok.', healthSchema),
      503: json('A dependency is failing: the body says which.', healthSchema),
    },
  },
  'GET /v1/openapi.json': {
    auth: 'public',
    tag: 'Service',
    summary: 'This document: OpenAPI 3.1, generated from the schemas the handlers validate with.',
    callers: 'anyone',
    responses: { 200: { description: 'The OpenAPI document.', contentType: 'application/json' } },
  },
  'GET /docs': {
    auth: 'public',
    tag: 'Service',
    summary: 'The API reference as a page, rendered from this document.',
    callers: 'anyone',
    responses: { 200: html('The reference page.') },
  },
  'GET /v1/fees': {
    auth: 'public',
    tag: 'Fees',
    summary: 'The fee catalog.',
    callers: 'anyone',
    responses: { 200: json('The catalog.', feeListSchema) },
  },
  'POST /v1/invoices': {
    auth: 'jwt',
    tag: 'Invoices',
    summary: 'Issue a fee invoice with a locked quote and its own deposit address (Idempotency-Key honoured).',
    callers: 'ministry',
    body: issueInvoiceBody,
    responses: { 201: json('The invoice (a replayed Idempotency-Key answers the first one).', invoiceSchema) },
  },
  'GET /v1/invoices': {
    auth: 'jwt',
    tag: 'Invoices',
    summary: 'A filtered page of invoices, newest first.',
    callers: 'ministry (its own), auditor',
    query: invoicesQuery,
    responses: { 200: json('A page of invoices.', invoiceListSchema) },
  },
  'GET /v1/invoices/{id}': {
    auth: 'jwt',
    tag: 'Invoices',
    summary: 'One invoice with its transfers, refunds, sweeps and payer mail.',
    callers: 'ministry (its own), auditor',
    responses: { 200: json('The invoice.', invoiceDetailSchema) },
  },
  'POST /v1/invoices/{id}/cancel': {
    auth: 'jwt',
    tag: 'Invoices',
    summary: 'Cancel an invoice while nothing is paid or pending.',
    callers: 'ministry (its own)',
    responses: { 200: json('The cancelled invoice.', invoiceSchema) },
  },
  'GET /pay/{id}': {
    auth: 'public',
    tag: 'Payer',
    summary: "The payer's invoice page (kk, ru, en).",
    callers: 'anyone with the link',
    query: payPageQuery,
    responses: { 200: html('The payment page, or with part=options its options only.') },
    errorPages: { 404: html('No such invoice.') },
  },
  'GET /v1/pay/{id}': {
    auth: 'public',
    tag: 'Payer',
    summary: "The payment page's live JSON.",
    callers: 'anyone with the link',
    query: payQuery,
    responses: { 200: json("The payer's view of the invoice.", payViewSchema) },
  },
  'GET /pay/{id}/receipt': {
    auth: 'public',
    tag: 'Payer',
    summary: 'The receipt as a page to read and print.',
    callers: 'anyone with the link',
    query: payQuery,
    responses: { 200: html('The receipt page.') },
    errorPages: { 404: html('No such invoice, or no receipt yet.') },
  },
  'GET /v1/pay/{id}/receipt': {
    auth: 'public',
    tag: 'Payer',
    summary: "The invoice's signed receipt.",
    callers: 'anyone with the link',
    query: payQuery,
    responses: { 200: json('The signed receipt.', signedReceiptSchema) },
  },
  'POST /v1/webhooks/{provider}': {
    auth: 'public',
    tag: 'Providers',
    summary: "A provider's signed webhook (alchemy, moralis, quicknode); the signature is the authentication.",
    callers: 'a provider, by its signature',
    body: { contentTypes: ['application/json'], description: "The provider's payload, signed over the raw bytes." },
    responses: { 200: json('Accepted: how many transfers were queued.') },
  },
  'POST /v1/ops/replay': {
    auth: 'jwt',
    tag: 'Operations',
    summary: "Move a dead-letter queue's messages back to its queue.",
    callers: 'operator',
    body: replayBody,
    responses: { 200: json('What was replayed.') },
  },
  'GET /v1/transfers': {
    auth: 'jwt',
    tag: 'Operations',
    summary: 'The suspense list: transfers that matched no invoice, with the reason.',
    callers: 'operator, auditor',
    query: transfersQuery,
    responses: { 200: json('A page of transfers.') },
  },
  'GET /v1/sweeps': {
    auth: 'jwt',
    tag: 'Operations',
    summary: 'Sweeps of deposit addresses to custody, newest first.',
    callers: 'operator, auditor',
    query: sweepsQuery,
    responses: { 200: json('A page of sweeps.') },
  },
  'GET /v1/receipts': {
    auth: 'jwt',
    tag: 'Receipts',
    summary: 'A filtered page of signed receipts with their delivery state.',
    callers: 'ministry (its own), auditor',
    query: receiptsQuery,
    responses: { 200: json('A page of receipts.', receiptListSchema) },
  },
  'GET /v1/receipts/{id}': {
    auth: 'jwt',
    tag: 'Receipts',
    summary: 'One signed receipt (or annulment) with its delivery state.',
    callers: 'ministry (its own), auditor',
    responses: { 200: json('The receipt.', receiptSchemaWithDelivery) },
  },
  'POST /v1/exports': {
    auth: 'jwt',
    tag: 'Exports',
    summary: 'Start a reconciliation export of a period.',
    callers: 'auditor',
    body: exportBody,
    responses: { 202: json('The export job, queued.') },
  },
  'GET /v1/exports/{id}': {
    auth: 'jwt',
    tag: 'Exports',
    summary: "An export's status; once done, its files with download links and the signed manifest.",
    callers: 'auditor',
    responses: { 200: json('The export job.') },
  },
  'POST /v1/refunds': {
    auth: 'jwt',
    tag: 'Refunds',
    summary: "Request a refund of an invoice's overpayment or of a suspense transfer (Idempotency-Key honoured).",
    callers: 'ministry, operator, compliance (senders it rejected)',
    body: refundRequestBody,
    responses: { 201: json('The refund, requested.') },
  },
  'POST /v1/refunds/{id}/approve': {
    auth: 'jwt',
    tag: 'Refunds',
    summary: 'Approve a refund (another identity than the requester).',
    callers: 'ministry, operator, compliance',
    responses: { 200: json('The refund, approved.') },
  },
  'POST /v1/refunds/{id}/reject': {
    auth: 'jwt',
    tag: 'Refunds',
    summary: 'Reject a requested refund.',
    callers: 'ministry, operator, compliance',
    responses: { 200: json('The refund, rejected.') },
  },
  'GET /v1/refunds': {
    auth: 'jwt',
    tag: 'Refunds',
    summary: 'A page of refunds.',
    callers: 'ministry (its own), operator, auditor',
    query: refundsQuery,
    responses: { 200: json('A page of refunds.') },
  },
  'GET /v1/refunds/{id}': {
    auth: 'jwt',
    tag: 'Refunds',
    summary: 'One refund.',
    callers: 'ministry (its own), operator, auditor',
    responses: { 200: json('The refund.') },
  },
  'POST /v1/settlements': {
    auth: 'jwt',
    tag: 'Settlement',
    summary: "Upload the custodian's settlement report, stored once as uploaded.",
    callers: 'operator',
    body: { contentTypes: ['text/csv'], description: "The custodian's settlement report." },
    responses: { 201: json('The batch and its lines, stored.'), 200: json('The same report again: as stored.') },
  },
  'POST /v1/bank-statements': {
    auth: 'jwt',
    tag: 'Settlement',
    summary: "Upload the bank's ISO 20022 camt.053 statement, stored once as uploaded.",
    callers: 'operator',
    body: { contentTypes: ['application/xml'], description: 'A camt.053 statement.' },
    responses: { 201: json('The statement and its entries, stored.'), 200: json('The same statement again.') },
  },
  'GET /v1/reconciliation': {
    auth: 'jwt',
    tag: 'Settlement',
    summary: 'The three-way reconciliation (custody, custodian, bank) of the days from..to.',
    callers: 'auditor, operator',
    query: periodQuery,
    responses: { 200: json('The reconciliation with its exceptions.') },
  },
  'PUT /v1/register': {
    auth: 'jwt',
    tag: 'Compliance',
    summary: 'Upload a new snapshot of the licensed-firm register.',
    callers: 'compliance',
    body: { contentTypes: ['text/csv', 'application/json'], description: 'The register as CSV, or {"firms": [...]}.' },
    responses: { 201: json('The snapshot stored.') },
  },
  'GET /v1/register/{bin}': {
    auth: 'jwt',
    tag: 'Compliance',
    summary: "A BIN's entry in the current licensed-firm register.",
    callers: 'compliance, operator, auditor, ministry',
    responses: { 200: json('The firm, with the snapshot it was read in.') },
  },
  'PUT /v1/screening-lists/{name}': {
    auth: 'jwt',
    tag: 'Compliance',
    summary: 'Replace a screening list.',
    callers: 'compliance',
    body: screeningListBodySchema,
    responses: { 200: json("The list's header and its number of addresses.") },
  },
  'GET /v1/holds': {
    auth: 'jwt',
    tag: 'Compliance',
    summary: 'Held transfers, to release or reject.',
    callers: 'compliance, operator, auditor',
    query: holdsQuery,
    responses: { 200: json('A page of holds.') },
  },
  'POST /v1/holds/{id}/release': {
    auth: 'jwt',
    tag: 'Compliance',
    summary: 'Release a held transfer: it is credited.',
    callers: 'compliance',
    body: holdDecisionBody,
    responses: { 200: json('The hold, released.') },
  },
  'POST /v1/holds/{id}/reject': {
    auth: 'jwt',
    tag: 'Compliance',
    summary: 'Reject a held transfer: it goes to suspense.',
    callers: 'compliance',
    body: holdDecisionBody,
    responses: { 200: json('The hold, rejected.') },
  },
  'GET /v1/incidents': {
    auth: 'jwt',
    tag: 'Operations',
    summary: 'Freeze incidents: a token issuer froze or unfroze one of our addresses.',
    callers: 'operator, auditor',
    query: incidentsQuery,
    responses: { 200: json('A page of incidents.') },
  },
  'POST /v1/admin/fees': {
    auth: 'jwt',
    tag: 'Reference data',
    summary:
      'Propose a fee entry (new, or a new version of one), effective now or from a date; another person approves.',
    callers: 'operator, ministry (its own fees)',
    body: feeProposalSchema,
    responses: { 201: json('The change, proposed.') },
  },
  'POST /v1/admin/mrp': {
    auth: 'jwt',
    tag: 'Reference data',
    summary: "Propose a year's MRP in KZT (in force from 00:00 Astana time on 1 January of that year).",
    callers: 'operator',
    body: mrpProposalSchema,
    responses: { 201: json('The change, proposed.') },
  },
  'POST /v1/admin/registries': {
    auth: 'jwt',
    tag: 'Reference data',
    summary: "Propose a ministry's registry endpoint (https, a public address only) and format.",
    callers: 'operator',
    // Deployed stages refuse loopback; the local runtime's mock registries are the one exception.
    body: registryProposalSchemaFor(false),
    responses: { 201: json('The change, proposed.') },
  },
  'POST /v1/admin/changes/{id}/approve': {
    auth: 'jwt',
    tag: 'Reference data',
    summary: 'Approve a proposed change (never by its proposer), optionally from a later instant.',
    callers: 'operator, ministry (its own fees)',
    body: approveChangeSchema,
    responses: { 200: json('The change, approved, with the version it made.') },
  },
  'POST /v1/admin/changes/{id}/reject': {
    auth: 'jwt',
    tag: 'Reference data',
    summary: 'Reject a proposed change.',
    callers: 'operator, ministry (its own fees)',
    body: rejectChangeSchema,
    responses: { 200: json('The change, rejected.') },
  },
  'GET /v1/admin/changes': {
    auth: 'jwt',
    tag: 'Reference data',
    summary: 'Proposed, approved and rejected changes (a ministry sees its own fees only).',
    callers: 'operator, ministry',
    query: changesQuerySchema,
    responses: { 200: json('The changes.') },
  },
  'GET /v1/admin/reference/{kind}': {
    auth: 'jwt',
    tag: 'Reference data',
    summary: 'The versions of one kind of reference data (fee, mrp, registry), optionally of one subject.',
    callers: "operator; a ministry reads its own fees' versions (kind fee)",
    query: versionsQuerySchema,
    responses: { 200: json('The versions, each with its effective instant, who made it and why.') },
  },
};
