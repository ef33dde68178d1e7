/**
 * Where model files come from. Docket reads every model in the Hugging Face hub's URL layout,
 * `{base}/{org}/{repo}/resolve/main/{file}`, whether the base is the public hub or a team's own server: a
 * self-hosted folder is a copy of the hub's paths, and `Model base URL` stands in for `https://huggingface.co`.
 * web-llm insists on that layout anyway (it appends `resolve/main/` to any model URL without `/resolve/`).
 * web-llm's compiled model libraries (`*.wasm`) live under `{base}/web-llm-models/{version}/` on a team
 * server, mirroring mlc-ai/binary-mlc-llm-libs.
 */
import { InvalidInputError } from '../errors.ts';

export const HUB_URL = 'https://huggingface.co/';
/** Where web-llm's own prebuilt records fetch model libraries from (its `modelLibURLPrefix`). */
export const HUB_MODEL_LIB_URL = 'https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/';
/** The model-library build that web-llm 0.2.86 loads; a library from another build fails to link. */
export const WEB_LLM_MODEL_VERSION = 'v0_2_86';

export type ModelSource =
	/** The public hub (needs the network once, then the browser cache). */
	| { kind: 'hub' }
	/** A team server or any static folder in the hub layout; absolute URL ending in `/`. */
	| { kind: 'base-url'; url: string }
	/** Node only: a directory in the hub layout (tests, the CLI). */
	| { kind: 'local-dir'; dir: string };

/**
 * A `Model base URL` as typed in Settings, made absolute (web-llm needs absolute URLs) and ending in `/`.
 * A path such as `/models` resolves against the app's own origin.
 */
export function normaliseBaseUrl(input: string, origin?: string): string {
	const trimmed = input.trim();
	if (trimmed === '')
		throw new InvalidInputError(
			'The model base URL is empty.',
			'Enter an address such as https://models.example.org/ or leave the field empty to use the public hub.'
		);
	let url: URL;
	try {
		url = origin === undefined ? new URL(trimmed) : new URL(trimmed, origin);
	} catch {
		throw new InvalidInputError(
			`“${trimmed}” is not a web address.`,
			'Enter a full address such as https://models.example.org/models/.'
		);
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:')
		throw new InvalidInputError(
			`Model files cannot be loaded over ${url.protocol.replace(':', '')}.`,
			'Use an http or https address.'
		);
	url.search = '';
	url.hash = '';
	if (!url.pathname.endsWith('/')) url.pathname += '/';
	return url.href;
}

/** The settings value → a source; an empty setting means the public hub. */
export function sourceFromSetting(baseUrl: string | undefined, origin?: string): ModelSource {
	if (baseUrl === undefined || baseUrl.trim() === '') return { kind: 'hub' };
	return { kind: 'base-url', url: normaliseBaseUrl(baseUrl, origin) };
}

function baseOf(source: ModelSource): string {
	switch (source.kind) {
		case 'hub':
			return HUB_URL;
		case 'base-url':
			return source.url;
		case 'local-dir':
			return source.dir.endsWith('/') ? source.dir : `${source.dir}/`;
	}
}

/** The folder holding a model's files, ending in `/`: `{base}{repo}/resolve/main/`. */
export function modelFolder(source: ModelSource, repo: string): string {
	if (!/^[\w.-]+\/[\w.-]+$/.test(repo) || repo.includes('..'))
		throw new InvalidInputError(`“${repo}” is not a model repository name.`);
	return `${baseOf(source)}${repo}/resolve/main/`;
}

/** The web-llm model library for `file` (e.g. `SmolLM2-360M-Instruct-q4f32_1_cs1k-webgpu.wasm`). */
export function modelLibUrl(source: ModelSource, file: string): string {
	const prefix = source.kind === 'hub' ? HUB_MODEL_LIB_URL : `${baseOf(source)}web-llm-models/`;
	return `${prefix}${WEB_LLM_MODEL_VERSION}/base/${file}`;
}
