// Test helpers for the `docket` command run as its own process (the bulk-import tests).
import { spawn } from 'node:child_process';

const BIN = new URL('../bin/docket.js', import.meta.url).pathname;

/**
 * Runs the CLI as its own process. With `killAfter`, SIGKILLs it once that many JSON lines were printed
 * (a crash, not a clean stop); resolves with every line it printed on stdout and its stderr.
 */
export function runCli<Line>(
	args: string[],
	killAfter?: number
): Promise<{ lines: Line[]; stderr: string; code: number | null }> {
	const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
	const lines: Line[] = [];
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => {
		stdout += chunk.toString();
		const parts = stdout.split('\n');
		stdout = parts.pop() ?? '';
		for (const part of parts) if (part.trim()) lines.push(JSON.parse(part) as Line);
		if (killAfter !== undefined && lines.length >= killAfter) child.kill('SIGKILL');
	});
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	return new Promise((resolve) => child.on('exit', (code) => resolve({ lines, stderr, code })));
}
