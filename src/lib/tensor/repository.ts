/**
 * Tensors attached to a case: the `.npy` bytes in the content-addressed file store, one `tensors` row
 * each (shape, dtype, and for a resampled tensor its source and parameters). Tensors are local to this
 * browser: `tensors` is not one of the synced tables, so no outbox entry is written.
 */
import type { DocketDatabase } from '../db/database.ts';
import { releaseUnreferencedFiles, storeOriginal, type FileStore } from '../db/file-store.ts';
import type { TensorRow } from '../db/schema.ts';
import { InvalidInputError, MissingRecordError } from '../errors.ts';
import { encodeNpy, parseNpy } from './npy.ts';
import { formatShape, type Tensor } from './semantics.ts';

const NPY_TYPE = 'application/x-npy';

/** Stores a `.npy` file in the case after checking it is a 4D float tensor the lab can read. */
export async function importTensor(db: DocketDatabase, files: FileStore, caseId: string, name: string, bytes: Uint8Array<ArrayBuffer>): Promise<TensorRow> {
	const array = parseNpy(bytes);
	if (array.shape.length !== 4) {
		throw new InvalidInputError(`${name} has shape ${formatShape(array.shape)}; the tensor lab works on 4D tensors.`, 'Reshape it to [T, Z, Y, X] with numpy first.');
	}
	const file = await storeOriginal(db, files, new Blob([bytes], { type: NPY_TYPE }), NPY_TYPE);
	const row: TensorRow = { id: crypto.randomUUID(), caseId, name, sha256: file.sha256, shape: array.shape, dtype: array.dtype, createdAt: Date.now() };
	await db.tensors.add(row);
	return row;
}

/** Stores a resampled tensor next to its source, remembering how it was made. */
export async function saveResampled(
	db: DocketDatabase,
	files: FileStore,
	source: TensorRow,
	tensor: Tensor,
	params: Record<string, unknown>
): Promise<TensorRow> {
	const bytes = encodeNpy(tensor);
	const file = await storeOriginal(db, files, new Blob([bytes], { type: NPY_TYPE }), NPY_TYPE);
	const base = source.name.replace(/\.npy$/i, '');
	const row: TensorRow = {
		id: crypto.randomUUID(),
		caseId: source.caseId,
		name: `${base} ${tensor.shape.join('×')}.npy`,
		sha256: file.sha256,
		shape: tensor.shape,
		dtype: 'float32',
		sourceId: source.id,
		params,
		createdAt: Date.now()
	};
	await db.tensors.add(row);
	return row;
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
