import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface TestServer {
	url: string;
	staticDir: string;
	stop(): Promise<void>;
}

/**
 * A second Docket server over a private copy of the built app, for tests that change the deployed
 * files (a new service worker) without disturbing the shared one.
 */
export async function startServerWithCopy(): Promise<TestServer> {
	const dir = await mkdtemp(join(tmpdir(), 'docket-browser-'));
	const staticDir = join(dir, 'build');
	await cp('build', staticDir, { recursive: true });
	const child = spawn(
		process.execPath,
		[
			'bin/docket.js',
			'server',
			'--port',
			'0',
			'--static',
			staticDir,
			'--data',
			join(dir, 'data'),
			'--log-level',
			'warn'
		],
		{ stdio: ['ignore', 'ignore', 'pipe'] }
	);
	const url = await new Promise<string>((resolve, reject) => {
		let output = '';
		child.stderr?.on('data', (chunk: Buffer) => {
			output += chunk.toString();
			const match = /running at (http:\/\/\S+)/.exec(output);
			if (match?.[1]) resolve(match[1]);
		});
		child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
	});
	return {
		url,
		staticDir,
		async stop() {
			await stopChild(child);
			await rm(dir, { recursive: true, force: true });
		}
	};
}

async function stopChild(child: ChildProcess) {
	if (child.exitCode !== null) return;
	const exited = new Promise((resolve) => child.once('exit', resolve));
	child.kill('SIGTERM');
	await exited;
}

/** Where the suite's shared server (playwright.config.ts) keeps its data. */
export const SERVER_DATA_DIR = 'test-results/server-data';

/** Adds a person to a team on the shared server, with the CLI an admin would use; returns their token. */
export async function addUser(name: string, team: string): Promise<string> {
	const { stdout } = await promisify(execFile)(process.execPath, [
		'bin/docket.js',
		'server',
		'user',
		'add',
		name,
		'--team',
		team,
		'--data',
		SERVER_DATA_DIR
	]);
	const token = stdout.trim().split('\n').at(-1);
	if (!token) throw new Error(`user add printed no token: ${stdout}`);
	return token;
}
