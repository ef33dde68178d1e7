import { processProgressSink, type ProgressSink } from './progress.ts';

/** One `docket` subcommand. `run` returns the process exit code. */
export interface Command {
	name: string;
	/** One line for `docket --help`. */
	summary: string;
	/** The full usage text for `docket NAME --help`. */
	usage: string;
	run(argv: string[], io: CommandIo): Promise<number>;
}

/** Where a command writes; tests pass their own. */
export interface CommandIo {
	stdout: (line: string) => void;
	stderr: (line: string) => void;
	/** Where long commands show progress (stderr for a person); none: no progress is shown. */
	progress?: ProgressSink;
}

export const processIo: CommandIo = {
	stdout: (line) => process.stdout.write(`${line}\n`),
	stderr: (line) => process.stderr.write(`${line}\n`),
	progress: processProgressSink()
};

/** Thrown for a malformed command line; main prints the message and the usage, and exits 2. */
export class UsageError extends Error {
	override name = 'UsageError';
}
