import { z } from 'zod';
import { CustomerOrderSchema, StockSchema } from '../../agents/supply/erp/model.js';
import { HealthSchema, OrderRecordSchema, OrdersRequestSchema, OrdersResultSchema, ProblemSchema, StockLevelSchema } from './api-schemas.js';

/**
 * The ERP API's OpenAPI 3.1 description, generated from the zod schemas
 * the server checks bodies with (`z.toJSONSchema`, JSON Schema 2020-12, the
 * dialect of OpenAPI 3.1). Served at `GET /openapi.json`.
 */

const COMPONENTS = {
  CustomerOrder: CustomerOrderSchema,
  OrdersRequest: OrdersRequestSchema,
  OrdersResult: OrdersResultSchema,
  OrderRecord: OrderRecordSchema,
  StockLevel: StockLevelSchema,
  Stock: StockSchema,
  Problem: ProblemSchema,
  Health: HealthSchema,
} as const;

type Component = keyof typeof COMPONENTS;

const ref = (name: Component) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: Component | null, description: string) => ({
  description,
  content: { 'application/json': { schema: name ? ref(name) : {} } },
});
const problem = (description: string) => json('Problem', description);
const ERRORS = {
  '401': problem('Tokens are configured and the request has no `Authorization: Bearer <token>`, or an unknown or revoked one.'),
  '403': problem('The token\'s role does not allow this: reading needs viewer, posting orders and stock counts needs operator.'),
  '405': problem('Wrong method; the `Allow` header lists the right ones.'),
};
const BODY_ERRORS = {
  '400': problem('The body is not JSON; the message gives the line and column.'),
  '413': problem('The body is larger than the limit (1 MiB unless configured).'),
  '415': problem('The body is not sent as application/json.'),
  '422': problem('The body does not match the schema (or names unknown master data); `problems` lists every problem with its path.'),
};

/** The component schemas, as JSON Schema 2020-12 with `#/components/schemas/…` references. */
export function componentSchemas(): Record<string, Record<string, unknown>> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  });
  const out: Record<string, Record<string, unknown>> = {};
  for (const [id, s] of Object.entries(schemas)) {
    const { $schema: _s, $id: _i, ...rest } = s as Record<string, unknown>;
    out[id] = rest;
  }
  return out;
}

/** The whole document; `security` is declared when the server has a token. */
export function openApiDocument(options: { token?: boolean; version?: string } = {}): Record<string, unknown> {
  const auth = options.token ? { security: [{ bearer: [] }] } : {};
  const idParam = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'HyperFactory ERP API',
      version: options.version ?? '1.0.0',
      description: 'An ERP pushes customer orders and stock levels, and reads the supply plan and schedules. Times are seconds from the run\'s start, or durations such as 3d.',
    },
    paths: {
      '/orders': {
        post: {
          summary: 'Push one customer order or many',
          operationId: 'postOrders',
          ...auth,
          requestBody: { required: true, content: { 'application/json': { schema: ref('OrdersRequest') } } },
          responses: {
            '200': json('OrdersResult', 'Every order was received before with the same content: nothing changed.'),
            '201': json('OrdersResult', 'At least one order is new.'),
            '409': problem('An order id was received before with other content; nothing of this request was taken.'),
            ...BODY_ERRORS,
            ...ERRORS,
          },
        },
      },
      '/orders/{id}': {
        get: {
          summary: 'An order received, and its status',
          operationId: 'getOrder',
          ...auth,
          parameters: [idParam('id', 'The order id.')],
          responses: { '200': json('OrderRecord', 'The order.'), '404': problem('No order with this id.'), ...ERRORS },
        },
      },
      '/stock/{item}/{location}': {
        put: {
          summary: 'Set the counted stock of an item at a location',
          operationId: 'putStock',
          ...auth,
          parameters: [idParam('item', 'The item id.'), idParam('location', 'The location id.')],
          requestBody: { required: true, content: { 'application/json': { schema: ref('StockLevel') } } },
          responses: { '200': json('Stock', 'The stock level now.'), ...BODY_ERRORS, ...ERRORS },
        },
      },
      '/plan': {
        get: {
          summary: 'The current supply plan',
          description: 'On a running plant: `time`, `purchaseOrders`, `stock`, and `productionPlan`, the lot-sizing plan of the scenario\'s ERP export (HiGHS), re-solved after orders and stock counts: `{status, solvedAt, planningPeriod, periods, frozenPeriods, currentPeriod, objective, costs, gap?, orders, diff?, reason, pending?}`; `{status: "pending"}` before its first solve; `{status: "none", reason}` without ERP data. See docs/erp.md.',
          operationId: 'getPlan',
          ...auth,
          responses: { '200': json(null, 'The plan, as the planner gives it.'), ...ERRORS },
        },
      },
      '/schedules': {
        get: { summary: 'The current schedules', operationId: 'getSchedules', ...auth, responses: { '200': json(null, 'The schedules, as the planner gives them.'), ...ERRORS } },
      },
      '/health': {
        get: { summary: 'Liveness (no token needed)', operationId: 'getHealth', responses: { '200': json('Health', 'The API is up.') } },
      },
      '/openapi.json': {
        get: { summary: 'This document (no token needed)', operationId: 'getOpenApi', responses: { '200': json(null, 'The OpenAPI document.') } },
      },
    },
    components: {
      schemas: componentSchemas(),
      ...(options.token ? { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } } : {}),
    },
  };
}
