/**
 * Tensors attached to a case: the `.npy` bytes in the content-addressed file store, one `tensors` row
 * each (shape, dtype, and for a resampled tensor its source and parameters). Tensors are local to this
 * browser: `tensors` is not one of the synced tables, so no outbox entry is written.
 */
import type { DocketDatabase } from '../db/database.ts';
import { releaseUnreferencedFiles, storeOriginal, type FileStore } from '../db/file-store.ts';
import type { TensorRow } from '../db/schema.ts';
import { InvalidInputError, MissingRecordError } from '../errors.ts';
import { encodeNpy, parseNpy, type NpyDtype } from './npy.ts';
import { formatShape, type Tensor } from './semantics.ts';

const NPY_TYPE = 'application/x-npy';

/** Stores `.npy` bytes already checked (by parseNpy or the tensor worker's `open`) as a tensor of the case. */
export async function attachTensor(
	db: DocketDatabase,
	files: FileStore,
	caseId: string,
	name: string,
	npy: Blob,
	info: { shape: number[]; dtype: NpyDtype },
	extra: { id?: string; sourceId?: string; params?: Record<string, unknown> } = {}
): Promise<TensorRow> {
	const file = await storeOriginal(db, files, new Blob([npy], { type: NPY_TYPE }), NPY_TYPE);
	const { id = crypto.randomUUID(), ...rest } = extra;
	const row: TensorRow = {
		id,
		caseId,
		name,
		sha256: file.sha256,
		shape: info.shape,
		dtype: info.dtype,
		...rest,
		createdAt: Date.now()
	};
	await db.tensors.add(row);
	return row;
}

/** Stores a `.npy` file in the case after checking it is a 4D float tensor the lab can read (parses on this thread). */
export async function importTensor(
	db: DocketDatabase,
	files: FileStore,
	caseId: string,
	name: string,
	bytes: Uint8Array<ArrayBuffer>
): Promise<TensorRow> {
	const array = parseNpy(bytes);
	if (array.shape.length !== 4) {
		throw new InvalidInputError(
			`${name} has shape ${formatShape(array.shape)}; the tensor lab works on 4D tensors.`,
			'Reshape it to [T, Z, Y, X] with numpy first.'
		);
	}
	return attachTensor(db, files, caseId, name, new Blob([bytes]), array);
}

/** The name a resampled tensor gets: its source's, with the new shape. */
export function resampledName(source: TensorRow, shape: readonly number[]): string {
	return `${source.name.replace(/\.npy$/i, '')} ${shape.join('×')}.npy`;
}

/** Stores a resampled tensor (or its `.npy` bytes, as the worker returns them) next to its source, remembering how it was made. */
export async function saveResampled(
	db: DocketDatabase,
	files: FileStore,
	source: TensorRow,
	result: Tensor | { shape: number[]; npy: Uint8Array<ArrayBuffer> },
	params: Record<string, unknown>,
	id?: string
): Promise<TensorRow> {
	const npy = 'npy' in result ? result.npy : encodeNpy(result);
	const extra = { sourceId: source.id, params, ...(id === undefined ? {} : { id }) };
	return attachTensor(
		db,
		files,
		source.caseId,
		resampledName(source, result.shape),
		new Blob([npy]),
		{ shape: result.shape, dtype: 'float32' },
		extra
	);
}

export function listTensors(db: DocketDatabase, caseId: string): Promise<TensorRow[]> {
	return db.tensors.where('caseId').equals(caseId).sortBy('createdAt');
}

/** The stored `.npy` bytes of a tensor (what Export .npy downloads). */
export async function tensorBytes(files: FileStore, row: TensorRow): Promise<Blob> {
	const blob = await files.get(row.sha256);
	if (!blob) throw new MissingRecordError(`The data of tensor ${row.name}`);
	return blob;
}

/** A stored tensor as float32 (float64 files are converted, as the GPU computes in float32). */
export async function loadTensor(files: FileStore, row: TensorRow): Promise<Tensor> {
	const array = parseNpy(new Uint8Array(await (await tensorBytes(files, row)).arrayBuffer()));
	return { shape: array.shape, data: array.data instanceof Float32Array ? array.data : Float32Array.from(array.data) };
}

export async function deleteTensor(db: DocketDatabase, files: FileStore, row: TensorRow): Promise<void> {
	await db.tensors.delete(row.id);
	await releaseUnreferencedFiles(db, files, [row.sha256]);
}
