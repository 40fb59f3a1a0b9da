// Validators for the documented formats (docs/openapi.json, public/campaigns.schema.json),
// so tests check what the code produces against what the documents promise.
import Ajv2020 from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const load = (path) => JSON.parse(readFileSync(new URL(path, root), 'utf8'));

export function validators() {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const openapi = load('docs/openapi.json');
  ajv.addSchema({ $id: 'openapi', components: openapi.components });
  return {
    report: ajv.getSchema('openapi#/components/schemas/Report'),
    accepted: ajv.getSchema('openapi#/components/schemas/Accepted'),
    status: ajv.getSchema('openapi#/components/schemas/Status'),
    feedback: ajv.getSchema('openapi#/components/schemas/Feedback'),
    similar: ajv.getSchema('openapi#/components/schemas/Similar'),
    feed: ajv.compile(load('public/campaigns.schema.json')),
  };
}

export const describeErrors = (validate) => (validate.errors || []).map((e) => `${e.instancePath} ${e.message}`).join('; ');
