// `npm test` / `pnpm test`: installs and builds when needed, then runs every test of every package
// (unit, route, integration and the Playwright journeys) through turbo.
import { build, ensureInstalled, run } from './workspace.mjs';

process.env.NEXT_TELEMETRY_DISABLED = '1';
process.env.TURBO_TELEMETRY_DISABLED = '1';

ensureInstalled();
build();
// Two at a time: the machine this is sized for has two cores, and the suites start real servers.
run(['exec', 'turbo', 'run', 'test', '--concurrency=2', '--continue', ...process.argv.slice(2)]);
