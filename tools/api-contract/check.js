#!/usr/bin/env node
// check.js: validates data/api/openapi.yaml with an independent OpenAPI validator
// (@apidevtools/swagger-parser), then checks recorded API traffic against it (ajv):
//
//   node check.js openapi.yaml                 the contract alone
//   node check.js openapi.yaml traffic.jsonl…  …and every recorded exchange
//   node check.js --all-operations openapi.yaml traffic.jsonl…   …and every operation must appear
//
// A traffic line is {method, path, request_type, request?, status, content_type, response?}
// as written by tests/api/ek-api-fixture.c. Each exchange must hit a documented operation and
// a documented status with a documented content type, its response body must match the schema,
// and a request the server accepted (2xx) must match the request schema.
'use strict';

const fs = require('fs');
const SwaggerParser = require('@apidevtools/swagger-parser');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');

function templateToRegex(template) {
  const escaped = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
  return new RegExp('^' + escaped + '$');
}

async function main() {
  let args = process.argv.slice(2);
  const allOperations = args[0] === '--all-operations';
  if (allOperations) args = args.slice(1);
  const [specPath, ...trafficPaths] = args;
  if (!specPath) {
    console.error('usage: check.js openapi.yaml [traffic.jsonl…]');
    process.exit(2);
  }

  await SwaggerParser.validate(specPath);
  const api = await SwaggerParser.dereference(specPath);
  const opCount = Object.values(api.paths).reduce((n, item) =>
    n + Object.keys(item).filter((k) => ['get', 'put', 'post', 'patch', 'delete'].includes(k)).length, 0);
  console.log(`${specPath}: valid OpenAPI ${api.openapi}, ${Object.keys(api.paths).length} paths, ${opCount} operations`);
  if (trafficPaths.length === 0) return;

  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const matchers = Object.keys(api.paths)
    // literal paths before templated ones: /sessions/current before /sessions/{id}
    .sort((a, b) => (a.split('{').length - b.split('{').length) || b.length - a.length)
    .map((p) => ({ template: p, regex: templateToRegex(p), item: api.paths[p] }));
  const compiled = new Map();
  const validate = (schema, data) => {
    let fn = compiled.get(schema);
    if (!fn) { fn = ajv.compile(schema); compiled.set(schema, fn); }
    return fn(data) ? null : ajv.errorsText(fn.errors);
  };

  const failures = [];
  const covered = new Set();
  let exchanges = 0;
  for (const file of trafficPaths) {
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
    for (const line of lines) {
      const rec = JSON.parse(line);
      exchanges++;
      const where = `${rec.method} ${rec.path} → ${rec.status}`;
      const pathOnly = rec.path.split('?')[0];
      const match = matchers.find((m) => m.regex.test(pathOnly));
      if (!match) {
        if (rec.status === 404 || rec.status === 400) continue; // probing unknown paths is allowed
        failures.push(`${where}: path not in the contract`);
        continue;
      }
      const op = match.item[rec.method.toLowerCase()];
      if (!op) {
        if (rec.status === 405) continue;
        failures.push(`${where}: method not in the contract for ${match.template}`);
        continue;
      }
      covered.add(`${rec.method} ${match.template}`);

      const ok = rec.status >= 200 && rec.status < 300;
      if (ok && rec.request !== undefined && op.requestBody) {
        const media = op.requestBody.content['application/json'];
        if (!media) failures.push(`${where}: accepted a JSON body the contract does not describe`);
        else {
          const err = validate(media.schema, rec.request);
          if (err) failures.push(`${where}: accepted request does not match the schema: ${err}`);
        }
      }
      if (ok && rec.request_type && rec.request_type.startsWith('image/')) {
        if (!op.requestBody || !op.requestBody.content[rec.request_type])
          failures.push(`${where}: accepted ${rec.request_type}, not in the contract`);
      }

      const response = op.responses[String(rec.status)] || op.responses.default;
      if (!response) {
        failures.push(`${where}: status not in the contract`);
        continue;
      }
      const ctype = (rec.content_type || '').split(';')[0].trim();
      if (!response.content) {
        if (ctype !== '' && rec.response !== undefined)
          failures.push(`${where}: the contract says no body, got ${ctype}`);
        continue;
      }
      const media = response.content[ctype];
      if (!media) {
        failures.push(`${where}: content type ${ctype || '(none)'} not in the contract (${Object.keys(response.content).join(', ')})`);
        continue;
      }
      if (rec.response !== undefined && media.schema) {
        const err = validate(media.schema, rec.response);
        if (err) failures.push(`${where}: response does not match the schema: ${err}`);
      }
    }
  }

  console.log(`${exchanges} recorded exchanges, ${covered.size} of ${opCount} operations exercised`);
  if (allOperations) {
    for (const [template, item] of Object.entries(api.paths))
      for (const method of ['get', 'put', 'post', 'patch', 'delete'])
        if (item[method] && !covered.has(`${method.toUpperCase()} ${template}`))
          failures.push(`${method.toUpperCase()} ${template}: in the contract but never exercised by the tests`);
  }
  if (failures.length > 0) {
    console.error(`${failures.length} exchange(s) do not match the contract:`);
    for (const f of failures.slice(0, 50)) console.error('  ' + f);
    process.exit(1);
  }
  console.log('All recorded traffic matches the contract.');
}

main().catch((e) => {
  console.error(`The contract is not valid: ${e.message.split('\n').slice(0, 40).join('\n')}`);
  process.exit(1);
});
