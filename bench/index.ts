import type { Bench } from './report.ts';
import { syncBench } from './sync.ts';

/** Every benchmark, by the name `npm run bench -- NAME` takes. Each lives in its own file here. */
export const BENCHES: readonly Bench[] = [syncBench];
