#!/usr/bin/env node
// `npm start [-- server flags]`: builds the web app, then runs `docket server` serving it. Flags after `--`
// go to the server (e.g. `npm start -- --host 0.0.0.0 --data /srv/docket`).
import { spawnSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const build = spawnSync(
	process.execPath,
	[fileURLToPath(new URL('../node_modules/vite/bin/vite.js', import.meta.url)), 'build'],
	{ cwd: root, stdio: 'inherit' }
);
if (build.status !== 0) process.exit(build.status ?? 1);
const server = spawn(
	process.execPath,
	[fileURLToPath(new URL('../bin/docket.js', import.meta.url)), 'server', ...process.argv.slice(2)],
	{ cwd: root, stdio: 'inherit' }
);
// The server finishes in-flight requests on SIGINT/SIGTERM; pass them on and exit with its code.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
