import { fc } from '@fast-check/vitest';
import { z } from 'zod';

/**
 * Valid values of a zod schema, for property tests: the schema is written as
 * JSON Schema (`z.toJSONSchema`, its input side) and a value is generated
 * from that. Covers the keywords zod emits for plain data schemas (objects,
 * records, arrays, strings with lengths and patterns, bounded numbers and
 * integers, enums, literals, unions); anything else throws, so a schema the
 * generator does not understand is noticed rather than half-covered.
 */

type JsonSchema = { [keyword: string]: unknown };

const KNOWN = new Set(['$schema', 'type', 'properties', 'required', 'additionalProperties', 'propertyNames', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'enum', 'const', 'oneOf', 'anyOf', 'items', 'minItems', 'maxItems', 'default', 'description']);

const anyValue = fc.jsonValue({ maxDepth: 2 });

function fromJsonSchema(s: JsonSchema): fc.Arbitrary<unknown> {
  for (const k of Object.keys(s)) if (!KNOWN.has(k)) throw new Error(`json-schema-arbitrary: keyword "${k}" is not supported (${JSON.stringify(s).slice(0, 200)})`);
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  const union = (s.oneOf ?? s.anyOf) as JsonSchema[] | undefined;
  if (union) return fc.oneof(...union.map(fromJsonSchema));
  const num = (k: string) => (typeof s[k] === 'number' ? (s[k] as number) : undefined);
  switch (s.type) {
    case undefined:
      return anyValue;
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'string': {
      const minLength = num('minLength') ?? 0;
      const maxLength = Math.min(num('maxLength') ?? 24, Math.max(minLength, 24));
      if (typeof s.pattern === 'string') {
        const re = new RegExp(s.pattern);
        return fc.stringMatching(re).filter((v) => v.length >= minLength && v.length <= (num('maxLength') ?? Infinity));
      }
      return fc.string({ minLength, maxLength });
    }
    case 'integer': {
      const min = num('minimum') ?? (num('exclusiveMinimum') !== undefined ? num('exclusiveMinimum')! + 1 : Number.MIN_SAFE_INTEGER);
      const max = num('maximum') ?? (num('exclusiveMaximum') !== undefined ? num('exclusiveMaximum')! - 1 : Number.MAX_SAFE_INTEGER);
      return fc.oneof(fc.integer({ min: Math.max(min, -1000), max: Math.min(max, 1000) }), fc.maxSafeInteger().filter((v) => v >= min && v <= max));
    }
    case 'number': {
      const lo = num('minimum') ?? num('exclusiveMinimum');
      const hi = num('maximum') ?? num('exclusiveMaximum');
      return fc.double({
        noNaN: true,
        noDefaultInfinity: true,
        ...(lo !== undefined ? { min: lo, minExcluded: num('exclusiveMinimum') !== undefined } : {}),
        ...(hi !== undefined ? { max: hi, maxExcluded: num('exclusiveMaximum') !== undefined } : {}),
      });
    }
    case 'array':
      return fc.array(s.items ? fromJsonSchema(s.items as JsonSchema) : anyValue, { minLength: num('minItems') ?? 0, maxLength: Math.min(num('maxItems') ?? 3, 3) });
    case 'object': {
      const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
      const additional = s.additionalProperties;
      const fixed = fc.record(
        Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, fromJsonSchema(v)])),
        { requiredKeys: (s.required ?? []) as string[] },
      );
      if (additional === false || additional === undefined || Object.keys(properties).length > 0) return fixed;
      const values = fromJsonSchema(additional as JsonSchema);
      return fc.dictionary(fc.string({ maxLength: 8 }), values, { maxKeys: 4 });
    }
    default:
      throw new Error(`json-schema-arbitrary: type ${JSON.stringify(s.type)} is not supported`);
  }
}

/** Values the schema accepts as input (defaults may be left out). */
export function validOf(schema: z.ZodType): fc.Arbitrary<unknown> {
  return fromJsonSchema(z.toJSONSchema(schema, { io: 'input' }) as JsonSchema);
}
