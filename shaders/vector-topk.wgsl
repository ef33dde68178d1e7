// Top-K selection for vector search, one level of a tournament: each workgroup takes a segment of
// WORKGROUP_SIZE (score, row) pairs of one query, sorts it descending in workgroup memory with a bitonic
// network (ties by ascending row, so the result is deterministic), and writes its first K pairs. Run
// level after level, n pairs shrink to K · ceil(n / WORKGROUP_SIZE), until one segment is left.
//
// With IMPLICIT_ROWS the input is the raw score array and a pair's row is its position; otherwise rows
// come from `rows_in`. Slots past `length` hold (-inf, 0xffffffff) and sort last.
// The scores are f32, so this only finds K strong candidates; the host re-ranks them in float64 and uses
// the k-th exact score as the threshold of the filter pass, which is what makes the search exact.

override WORKGROUP_SIZE: u32 = 256;
override K: u32 = 16;
override IMPLICIT_ROWS: bool = true;

struct Params {
	// Valid pairs of each query in the input.
	length: u32,
	// Distance between two queries' inputs and outputs.
	in_stride: u32,
	out_stride: u32,
	// Workgroups per query along x (segments).
	segments: u32,
}

@group(0) @binding(0) var<storage, read> scores_in: array<f32>;
@group(0) @binding(1) var<storage, read> rows_in: array<u32>;
@group(0) @binding(2) var<storage, read_write> scores_out: array<f32>;
@group(0) @binding(3) var<storage, read_write> rows_out: array<u32>;
@group(0) @binding(4) var<uniform> params: Params;

const LOWEST: f32 = -3.40282346638528859812e+38f;

var<workgroup> keys: array<f32, WORKGROUP_SIZE>;
var<workgroup> ids: array<u32, WORKGROUP_SIZE>;

// True when (a, ia) must come after (b, ib) in descending order.
fn after(a: f32, ia: u32, b: f32, ib: u32) -> bool {
	return a < b || (a == b && ia > ib);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
	let segment = wid.x;
	let q = wid.y;
	let t = lid.x;
	let i = segment * WORKGROUP_SIZE + t;
	if (i < params.length) {
		keys[t] = scores_in[q * params.in_stride + i];
		if (IMPLICIT_ROWS) {
			ids[t] = i;
		} else {
			ids[t] = rows_in[q * params.in_stride + i];
		}
	} else {
		keys[t] = LOWEST;
		ids[t] = 0xffffffffu;
	}
	workgroupBarrier();
	// Bitonic sort (WORKGROUP_SIZE is a power of two).
	for (var size = 2u; size <= WORKGROUP_SIZE; size <<= 1u) {
		for (var stride = size >> 1u; stride > 0u; stride >>= 1u) {
			let partner = t ^ stride;
			if (partner > t) {
				let descending = (t & size) == 0u;
				let a = keys[t];
				let b = keys[partner];
				let ia = ids[t];
				let ib = ids[partner];
				if (after(a, ia, b, ib) == descending) {
					keys[t] = b;
					keys[partner] = a;
					ids[t] = ib;
					ids[partner] = ia;
				}
			}
			workgroupBarrier();
		}
	}
	if (t < K) {
		let o = q * params.out_stride + segment * K + t;
		scores_out[o] = keys[t];
		rows_out[o] = ids[t];
	}
}
