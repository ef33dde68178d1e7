import { duplicatesBench } from './duplicates.ts';
import { embedBench } from './embed.ts';
import { importBench } from './import.ts';
import { ingestBench } from './ingest.ts';
import { pullBench } from './pull.ts';
import { ocrBench } from './ocr.ts';
import type { Bench } from './report.ts';
import { searchBench } from './search.ts';
import { syncBench } from './sync.ts';
import { tensorBench } from './tensor.ts';

/** Every benchmark, by the name `npm run bench -- NAME` takes. Each lives in its own file here. */
export const BENCHES: readonly Bench[] = [
	ingestBench,
	embedBench,
	searchBench,
	tensorBench,
	syncBench,
	pullBench,
	importBench,
	ocrBench,
	duplicatesBench
];
