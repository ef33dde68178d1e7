import { readFileSync } from 'node:fs';
import { processIo, UsageError, type Command, type CommandIo } from './command.ts';
import { benchCommand } from './commands/bench.ts';
import { duplicatesCommand } from './commands/duplicates.ts';
import { ingestCommand } from './commands/ingest.ts';
import { searchCommand } from './commands/search.ts';
import { serverCommand } from './commands/server.ts';
import { tensorCommand } from './commands/tensor.ts';
import { timelineCommand } from './commands/timeline.ts';

/** Every subcommand; each lives in its own file under `commands/`. */
export const COMMANDS: readonly Command[] = [
	serverCommand,
	ingestCommand,
	searchCommand,
	timelineCommand,
	duplicatesCommand,
	tensorCommand,
	benchCommand
];

function version(): string {
	const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
	return typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : 'unknown';
}

export function helpText(): string {
	const width = Math.max(...COMMANDS.map((c) => c.name.length));
	return [
		'docket — the command line of Docket, the offline-first legal case workbench',
		'',
		'Usage: docket <command> [options]',
		'',
		'Commands:',
		...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
		'',
		'Run `docket <command> --help` for a command’s options.',
		'Options: --help, --version'
	].join('\n');
}

export async function main(argv: string[], io: CommandIo = processIo): Promise<number> {
	const [name, ...rest] = argv;
	if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
		io.stdout(helpText());
		return name === undefined ? 2 : 0;
	}
	if (name === '--version' || name === '-v') {
		io.stdout(version());
		return 0;
	}
	const command = COMMANDS.find((c) => c.name === name);
	if (!command) {
		io.stderr(`docket: unknown command "${name}".\n\n${helpText()}`);
		return 2;
	}
	if (rest.includes('--help') || rest.includes('-h')) {
		io.stdout(command.usage);
		return 0;
	}
	try {
		return await command.run(rest, io);
	} catch (error) {
		if (
			error instanceof UsageError ||
			(error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
		) {
			io.stderr(`docket ${name}: ${error.message}\n\n${command.usage}`);
			return 2;
		}
		io.stderr(`docket ${name}: ${error instanceof Error ? error.message : String(error)}`);
		return 1;
	}
}
