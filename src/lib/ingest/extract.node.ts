import { createExtractor } from './extract.ts';
import { nodePdfPlatform } from './pdf-platform.node.ts';
import type { Extractor } from './types.ts';

let shared: Extractor | undefined;

/** The extractor on Node's pdf.js (CLI, benchmarks, tests). One pdf.js instance serves the process. */
export function nodeExtractor(): Extractor {
	shared ??= createExtractor(nodePdfPlatform());
	return shared;
}
