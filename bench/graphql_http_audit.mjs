// Runs the graphql-http server audits (the GraphQL-over-HTTP spec's MUST/SHOULD list)
// against a running gateway: node bench/graphql_http_audit.mjs http://127.0.0.1:8000/graphql
// `make audit` installs graphql-http from the npm registry into a temporary folder.
import { serverAudits } from 'graphql-http';

const url = process.argv[2] ?? 'http://127.0.0.1:8000/graphql';
let ok = 0;
const failures = [];
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  const result = await audit.fn();
  if (result.status === 'ok') ok += 1;
  else failures.push(`${result.status}: ${audit.name} (${result.reason})`);
}
console.log(`graphql-http audits: ${ok} ok, ${failures.length} not ok`);
for (const line of failures) console.log(`  ${line}`);
process.exit(failures.some((line) => line.startsWith('error')) ? 1 : 0);
