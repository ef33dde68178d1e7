import { embedBench } from './embed.ts';
import type { Bench } from './report.ts';

/** Every benchmark, by the name `npm run bench -- NAME` takes. Each lives in its own file here. */
export const BENCHES: readonly Bench[] = [embedBench];
