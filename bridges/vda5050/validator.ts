import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020Import from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { projectRoot } from '../../runtime/paths.js';
import { VDA5050_TOPICS, type TopicMessages, type Vda5050Topic } from './messages.js';

// ajv and ajv-formats are CommonJS: the class is the default export, or the module itself, depending on the loader.
type AjvClass = typeof Ajv2020Import.default;
const Ajv2020 = ((Ajv2020Import as unknown as { default?: AjvClass }).default ?? Ajv2020Import) as AjvClass;
type AddFormats = typeof addFormatsImport.default;
const addFormats = ((addFormatsImport as unknown as { default?: AddFormats }).default ?? addFormatsImport) as AddFormats;

/** The copies of the official VDA 5050 2.1.0 schemas shipped with the product, read from the project root (works from sources and dist/). */
export function bundledSchemaDir(): string {
  return join(projectRoot(), 'bridges/vda5050/schemas');
}

export type Validation<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Checks VDA 5050 messages against the official JSON schemas (draft
 * 2020-12), one compiled validator per topic. A failure names the field
 * path, e.g. `order: /nodes/0/sequenceId must be integer`.
 */
export class Vda5050Validator {
  private readonly validators = new Map<Vda5050Topic, ValidateFunction>();

  /** Compiles the six schemas found in `dir` (`<topic>.schema.json`); throws naming the file when one is missing or broken. */
  constructor(dir = bundledSchemaDir()) {
    // strict off: the official schemas carry a non-standard `subtopic` keyword and draft-7 style `definitions`.
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    for (const topic of VDA5050_TOPICS) {
      const file = join(dir, `${topic}.schema.json`);
      let schema: unknown;
      try {
        schema = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        throw new Error(`cannot read the VDA 5050 schema ${file}: ${(e as Error).message}`);
      }
      this.validators.set(topic, ajv.compile(schema as object));
    }
  }

  /** `msg` as the message of `topic`, or why not (the first few problems, each with its field path). */
  validate<T extends Vda5050Topic>(topic: T, msg: unknown): Validation<TopicMessages[T]> {
    const v = this.validators.get(topic);
    if (!v) return { ok: false, reason: `unknown VDA 5050 topic "${topic}"` };
    if (v(msg)) return { ok: true, value: msg as TopicMessages[T] };
    return { ok: false, reason: `${topic}: ${describe(v.errors ?? [])}` };
  }
}

function describe(errors: readonly ErrorObject[]): string {
  const parts = errors.slice(0, 3).map((e) => {
    const at = e.instancePath || '/';
    if (e.keyword === 'required') return `${at} misses required field "${(e.params as { missingProperty: string }).missingProperty}"`;
    if (e.keyword === 'enum') return `${at} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    return `${at} ${e.message ?? 'is invalid'}`;
  });
  return parts.join('; ') + (errors.length > 3 ? `; and ${errors.length - 3} more` : '');
}

let shared: Vda5050Validator | undefined;

/** One validator for the process, over the bundled schemas (compiling them takes a few milliseconds). */
export function bundledValidator(): Vda5050Validator {
  return (shared ??= new Vda5050Validator());
}
