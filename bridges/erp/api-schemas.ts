import { z } from 'zod';
import { CustomerOrderSchema, ErpId, StockSchema } from '../../agents/supply/erp/model.js';

/**
 * The bodies the ERP API accepts and answers with. The OpenAPI document is
 * generated from these (`openapi.ts`), so what is documented is what is
 * checked.
 */

export const MAX_ORDERS_PER_REQUEST = 10_000;

export const OrdersRequestSchema = z
  .union([CustomerOrderSchema, z.array(CustomerOrderSchema).min(1).max(MAX_ORDERS_PER_REQUEST)])
  .describe('One customer order, or a list of them. Idempotent by order id: an id already received with the same content is answered 200, with other content 409.');

export const StockLevelSchema = z
  .object({
    onHand: StockSchema.shape.onHand,
    reserved: StockSchema.shape.reserved,
  })
  .strict()
  .describe('The counted stock of one item at one location; replaces the level before.');

export const OrdersResultSchema = z
  .object({
    created: z.array(ErpId).describe('Ids of orders new to the API.'),
    unchanged: z.array(ErpId).describe('Ids received before with the same content.'),
  })
  .strict();

export const OrderRecordSchema = z
  .object({
    order: CustomerOrderSchema,
    status: z.unknown().describe('What the planner made of it; "received" until it says more.'),
  })
  .strict();

export const ProblemSchema = z
  .object({
    error: z.string().describe('A short code: bad-json, invalid, conflict, too-large, unauthorized, not-found, method-not-allowed, unsupported-media-type, internal.'),
    message: z.string(),
    problems: z
      .array(z.object({ path: z.string().describe('Where in the body, e.g. [2].qty; empty for the whole body.'), message: z.string() }).strict())
      .optional()
      .describe('Every problem of an invalid body (422), or the conflicting ids (409).'),
  })
  .strict();

export const HealthSchema = z.object({ ok: z.literal(true), orders: z.number().int().nonnegative() }).strict();

export type ApiProblem = z.infer<typeof ProblemSchema>;
