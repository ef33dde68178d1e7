import { BENCHES } from '../../bench/index.ts';
import { createContext } from '../../bench/report.ts';
import { UsageError, type Command } from '../command.ts';

export const benchCommand: Command = {
	name: 'bench',
	summary: 'Run a benchmark (npm run bench -- NAME [--json])',
	get usage() {
		return `Usage: docket bench NAME [--json] [options]

Measures one area and reports each figure beside a baseline measured in the same run.
With --json, prints one line per figure: { bench, figure, value, unit, baseline, baseline_value, ratio }.

Benchmarks:
${BENCHES.map((b) => `  ${b.name.padEnd(8)} ${b.summary}`).join('\n') || '  (none yet)'}`;
	},
	async run(argv, io) {
		const json = argv.includes('--json');
		const rest = argv.filter((a) => a !== '--json');
		const [name, ...args] = rest;
		const bench = BENCHES.find((b) => b.name === name);
		if (!bench) throw new UsageError(name ? `No benchmark named "${name}".` : 'Name a benchmark.');
		const context = createContext(bench.name, json, args, io.stdout);
		await bench.run(context);
		return 0;
	}
};
