#!/usr/bin/env node
// `npm test`: every check and every test layer, in one command that installs what it needs.
//   lint → type-check → unit + GPU + server tests (vitest) → test build → browser tests (Playwright)
// The browser tests run against a test build (DOCKET_TEST_ENGINE=scripted: the scripted AI engine can be chosen
// by a test); a production build (`npm run build`) refuses to contain it (vite.config.ts).
// Each step runs even if an earlier one failed, so one run shows every problem; the exit code is non-zero
// if any step failed. The last line sums the tests: "tests: N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const REPORTS = 'test-results/reports';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const VULKAN_LOADERS = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1'];
const only = process.argv.slice(2);

function run(command, args, env = {}) {
	const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
	return result.status ?? 1;
}

/** Debian's chromium (browser tests, and SwiftShader for WebGPU) and the Vulkan loader (WebGPU in Node). */
function ensureSystemPackages() {
	const missing = [];
	if (!existsSync(CHROMIUM)) missing.push('chromium');
	if (!VULKAN_LOADERS.some((p) => existsSync(p))) missing.push('libvulkan1');
	if (missing.length === 0) return true;
	const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	if (isRoot && existsSync('/usr/bin/apt-get')) {
		console.log(`\n▶ Installing ${missing.join(' ')} from Debian (needed by the GPU and browser tests)`);
		const env = { DEBIAN_FRONTEND: 'noninteractive' };
		if (run('apt-get', ['update', '-qq'], env) === 0 && run('apt-get', ['install', '-y', '-qq', ...missing], env) === 0)
			return true;
	}
	console.error(
		`\n✖ The GPU and browser tests need Debian packages that are missing: ${missing.join(', ')}.\n` +
			`  Install them with:  sudo apt-get install -y ${missing.join(' ')}\n` +
			`  (or set CHROMIUM_PATH to another Chromium build with SwiftShader).`
	);
	return false;
}

function countVitest(file) {
	if (!existsSync(file)) return undefined;
	const r = JSON.parse(readFileSync(file, 'utf8'));
	return { passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + r.numTodoTests };
}

function countPlaywright(file) {
	if (!existsSync(file)) return undefined;
	const { stats } = JSON.parse(readFileSync(file, 'utf8'));
	return { passed: stats.expected + stats.flaky, failed: stats.unexpected, skipped: stats.skipped };
}

const steps = [
	// svelte-kit sync writes .svelte-kit/tsconfig.json, which the linter's type information needs.
	{
		name: 'lint',
		run: () =>
			run('npx', ['svelte-kit', 'sync']) || run('npx', ['eslint', '.']) || run('npx', ['prettier', '--check', '.'])
	},
	{
		name: 'type-check',
		run: () =>
			run('npx', ['svelte-check', '--tsconfig', './tsconfig.json', '--fail-on-warnings']) ||
			run('npx', ['tsc', '-p', 'tsconfig.node.json', '--noEmit'])
	},
	{
		name: 'unit, GPU and server tests',
		run: () =>
			run('npx', [
				'vitest',
				'run',
				'--reporter=default',
				'--reporter=json',
				`--outputFile.json=${REPORTS}/vitest.json`
			]),
		count: () => countVitest(`${REPORTS}/vitest.json`)
	},
	{ name: 'build', run: () => run('npx', ['vite', 'build'], { DOCKET_TEST_ENGINE: 'scripted' }) },
	{
		name: 'browser tests',
		run: () => {
			rmSync('test-results/server-data', { recursive: true, force: true });
			return run('npx', ['playwright', 'test'], { PLAYWRIGHT_JSON_OUTPUT_NAME: `${REPORTS}/playwright.json` });
		},
		count: () => countPlaywright(`${REPORTS}/playwright.json`)
	}
];

rmSync(REPORTS, { recursive: true, force: true });
mkdirSync(REPORTS, { recursive: true });
const systemOk = ensureSystemPackages();
const results = [];
for (const step of steps) {
	if (only.length > 0 && !only.some((o) => step.name.startsWith(o))) continue;
	console.log(`\n▶ ${step.name}`);
	const started = Date.now();
	const code = step.run();
	results.push({ name: step.name, ok: code === 0, seconds: (Date.now() - started) / 1000, counts: step.count?.() });
}

console.log('\nSummary');
const total = { passed: 0, failed: 0, skipped: 0 };
for (const r of results) {
	const counts = r.counts ? ` (${r.counts.passed} passed, ${r.counts.failed} failed, ${r.counts.skipped} skipped)` : '';
	console.log(`  ${r.ok ? '✔' : '✖'} ${r.name}${counts} in ${r.seconds.toFixed(0)} s`);
	if (r.counts) for (const k of Object.keys(total)) total[k] += r.counts[k];
	else if (!r.ok) total.failed += 1;
}
const ok = systemOk && results.every((r) => r.ok);
if (!systemOk) total.failed += 1;
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(ok ? 0 : 1);
